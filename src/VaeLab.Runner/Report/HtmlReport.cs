using System.Net;
using System.Text;
using VaeLab.Reporting.Pages;
using VaeLab.Runner.Engine;
using VaeLab.Runner.Notebooks;
using VaeLab.Reporting;

namespace VaeLab.Runner.Report;

/// <summary>
/// Self-contained HTML pages: one per executed notebook (rendered by VaeLab's NotebookPageHtml, shared as source with
/// the library so that exported apps write the same page) and an index. Charts carry plotly.js inline (the notebook's
/// first chart does, as the kernel extension wrote it), so pages render offline.
/// </summary>
public static class HtmlReport
{
    static string H(string? s) => NotebookPageHtml.H(s);
    static string StatusHtml(NotebookStatus s) => NotebookPageHtml.StatusHtml(Summary.StatusName(s));
    const string Style = NotebookPageHtml.Style;

    /// <summary>An executed notebook's page, rendered by the code exported apps use too (VaeLab's NotebookPageHtml).</summary>
    public static string NotebookPage(NotebookResult result, ReportFiles files)
    {
        var cells = result.Cells.Select((cell, i) =>
        {
            if (cell.Cell.CellType != "code") return new PageCell(cell.Cell.CellType, cell.Cell.Source);
            var prompt = cell.ExecutionCount is { } n ? $"[{n}]" : "[ ]";
            var time = cell.Start is { } s && cell.End is { } e ? $" · {(e - s).TotalSeconds:0.00} s" : cell.ExecutionCount == null ? " · not run" : "";
            var tags = cell.Cell.Tags.Count > 0 ? " · tags: " + H(string.Join(", ", cell.Cell.Tags)) : "";
            return new PageCell("code", cell.Cell.Source, $"In {prompt} (cell {i + 1}){time}{tags}", cell.Outputs.Select(Output).ToList());
        }).ToList();
        var r = result;
        var run = new PageRun(Summary.StatusName(r.Status), r.Profile, r.Started, r.Duration, r.PeakResidentBytes,
            r.Notebook.Parameters.Select(p => $"{p.Key} = {p.Value?.ToJsonString()}").ToList(),
            r.Datasets.Select(d => new PageDataset(d.Requested, d.Used, d.Source)).ToList(),
            r.Failure is { } f ? $"cell {f.Cell}: {f.EName}: {f.Message}" : null,
            r.Warnings,
            r.Claims.Select(c => new PageClaim(c.Statement, c.Measure, c.Measured, c.Bound, Summary.VerdictName(c.Verdict), c.Note)).ToList(),
            r.Metrics.Select(m => new PageMetric(m.Name, m.Value, m.Unit)).ToList());
        var links = $"<a href=\"index.html\">← all notebooks</a> · executed notebook: <a " +
            $"href=\"{H(Path.GetFileName(files.Notebook))}\">{H(Path.GetFileName(files.Notebook))}</a>";
        return NotebookPageHtml.Render(new NotebookPage(result.Notebook.Name, links, run, cells));
    }

    static string Output(CellOutput output) => output switch
    {
        StreamOutput s => NotebookPageHtml.StreamOutput(s.Name, s.Text.ToString()),
        ErrorOutput e => NotebookPageHtml.ErrorOutput(e.EName, e.EValue, e.Traceback),
        DisplayOutput d => NotebookPageHtml.DisplayOutput(d.Data["text/html"], d.Data["image/png"], d.Data["text/plain"]),
        _ => "",
    };

    public static string Index(IReadOnlyList<NotebookResult> results, IReadOnlyList<ReportFiles> files, RunOptions options, TimeSpan duration, int exitCode)
    {
        var all = results.SelectMany(r => r.Claims).ToList();
        var thumbnails = results.Select(FirstFigureJson).ToList();
        var sb = new StringBuilder();
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>VaeLab report</title>\n{Style}\n{IndexStyle}\n");
        if (thumbnails.Any(t => t != null) && PlotlyScript(results) is { } plotly) sb.Append(plotly).Append('\n');
        sb.Append("</head><body>\n");
        int ran = results.Count(r => r.Status == NotebookStatus.Ok);
        sb.Append($"<h1>VaeLab report</h1>\n<p class=\"lead\">{ran} of {results.Count} notebook(s) ran · <b>{H(Summary.ClaimsLine(all))}</b> · profile " +
            $"<b>{H(options.Profile)}</b> · {duration.TotalSeconds:0} s · exit code {exitCode}" +
                  $"{(options.Strict ? " (strict: failed claims count)" : "")} · <a href=\"summary.json\">summary.json</a></p>\n");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var name = r.Status == NotebookStatus.NotRun ? H(r.Notebook.Name) : $"<a href=\"{H(Path.GetFileName(files[i].Html))}\">{H(r.Notebook.Name)}</a>";
            sb.Append("<div class=\"nb\">");
            sb.Append(thumbnails[i] is { } fig
                ? $"<div class=\"thumb\" id=\"thumb-{i}\"></div><script>(function(){{var f={fig};" +
                  "var l=f.layout||{};l.width=240;l.height=170;l.margin={l:20,r:10,t:10,b:20};l.showlegend=false;l.title=undefined;l.annotations=undefined;" +
                  "for(var k in l){if(/^[xy]axis/.test(k)&&l[k]){l[k].title=undefined;l[k].tickfont={size:8};}}" +
                  $"if(window.Plotly)Plotly.newPlot('thumb-{i}',f.data,l,{{staticPlot:true}});}})();</script>"
                : "<div class=\"thumb empty\"></div>");
            var dataset = string.Join("; ", r.Datasets.Select(d => d.Requested == d.Used ? d.Used : $"{d.Used} (asked for {d.Requested})").Distinct());
            sb.Append($"<div class=\"text\"><h2>{name} {StatusHtml(r.Status)}</h2><p>")
              .Append(dataset.Length > 0 ? $"data: <b>{H(dataset)}</b> · " : "")
              .Append(r.Claims.Count > 0 ? $"{H(Summary.ClaimsLine(r.Claims))} · " : "")
              .Append($"{r.Duration.TotalSeconds:0} s · peak memory {ProcessMemory.Format(r.PeakResidentBytes)}</p>");
            if (r.Failure is { } f) sb.Append($"<p class=\"bad\">cell {f.Cell}: {H(f.EName)}: {H(f.Message.Split('\n')[0])}</p>");
            var failed = r.Claims.Where(c => c.Verdict == Verdict.Failed).ToList();
            if (failed.Count > 0)
                sb.Append("<ul class=\"failed\">").Append(string.Join("",
                    failed.Select(c => $"<li>did not hold: {H(c.Statement)} — {H(c.Measure)} = {c.Measured:G4}, bound {H(c.Bound)}</li>"))).Append("</ul>");
            sb.Append("</div></div>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    const string IndexStyle = """
        <style>
        .lead{font-size:1.05em}.nb{display:flex;gap:1em;align-items:flex-start;border-top:1px solid #d0d7de;padding:.8em 0}
        .thumb{width:240px;height:170px;flex:none;background:#f6f8fa;border-radius:6px;overflow:hidden}
        .nb h2{font-size:1.1em;margin:.1em 0 .3em}.nb p{margin:.2em 0}.failed{margin:.3em 0;padding-left:1.2em;color:#57606a}
        </style>
        """;

    /// <summary>The plotly.js the notebooks' first chart carried (the runner has no copy of its own).</summary>
    static string? PlotlyScript(IReadOnlyList<NotebookResult> results)
    {
        foreach (var html in results.SelectMany(r => r.Cells).SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(d => d.Data["text/html"]))
        {
            if (html is null) continue;
            int start = html.IndexOf("<script type=\"text/javascript\">/**", StringComparison.Ordinal);
            if (start < 0 || !html.Contains("plotly.js v", StringComparison.Ordinal)) continue;
            int end = html.IndexOf("</script>", start, StringComparison.Ordinal);
            if (end > start) return html[start..(end + "</script>".Length)];
        }
        return null;
    }

    /// <summary>The figure JSON of a notebook's first chart (as VaeLab's PlotlyHtml writes it), for a thumbnail.</summary>
    static string? FirstFigureJson(NotebookResult r)
    {
        foreach (var html in r.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(d => d.Data["text/html"]))
        {
            if (html is null) continue;
            int start = html.IndexOf("var fig=", StringComparison.Ordinal);
            int end = start < 0 ? -1 : html.IndexOf(";var draw=", start, StringComparison.Ordinal);
            if (end > start) return html[(start + "var fig=".Length)..end];
        }
        return null;
    }
}
