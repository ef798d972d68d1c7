using System.Net;
using System.Text;
using Markdig;
using VaeLab.Runner.Engine;
using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Report;

/// <summary>
/// Self-contained HTML pages: one per executed notebook (markdown rendered with Markdig, code, outputs, run facts)
/// and an index. Charts carry plotly.js inline (the notebook's first chart does, as the kernel extension wrote it),
/// so pages render offline.
/// </summary>
public static class HtmlReport
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    const string Style = """
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.45}
        pre{background:#f6f8fa;padding:.6em .8em;overflow-x:auto;border-radius:6px;font-size:13px;margin:.3em 0}
        .cell{margin:1em 0}.code pre.src{border-left:3px solid #0969da}
        .prompt{color:#6e7781;font-size:12px;font-family:monospace}
        .output{margin-left:1em}.stderr{background:#fff8c5}.error{background:#ffebe9;color:#82071e}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:right}
        .ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}.muted{color:#6e7781}
        .facts td,.facts th{text-align:left}
        </style>
        """;

    static string H(string? s) => WebUtility.HtmlEncode(s ?? "");

    static string StatusHtml(NotebookStatus s) => s == NotebookStatus.Ok
        ? "<span class=\"ok\">ok</span>"
        : $"<span class=\"bad\">{Summary.StatusName(s)}</span>";

    public static string NotebookPage(NotebookResult result, ReportFiles files)
    {
        var title = result.Notebook.Name;
        var markdown = result.Cells.Select(c => c.Cell.CellType == "markdown" ? Markdig.Markdown.ToHtml(c.Cell.Source, Markdown) : null).ToArray();
        bool math = markdown.Any(m => m != null && m.Contains("class=\"math\"", StringComparison.Ordinal));
        var sb = new StringBuilder();
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{H(title)} — VaeLab</title>\n{Style}\n");
        if (math) sb.Append("<style>").Append(Katex.Css).Append("</style>\n");
        sb.Append("</head><body>\n");
        sb.Append($"<p class=\"muted\"><a href=\"index.html\">← all notebooks</a> · executed notebook: <a href=\"{H(Path.GetFileName(files.Notebook))}\">{H(Path.GetFileName(files.Notebook))}</a></p>\n");
        sb.Append($"<h1>{H(title)}</h1>\n");
        sb.Append(Facts(result));
        for (int i = 0; i < result.Cells.Count; i++)
        {
            var cell = result.Cells[i];
            if (cell.Cell.CellType == "markdown")
            {
                sb.Append($"<div class=\"cell markdown\">{markdown[i]}</div>\n");
                continue;
            }
            if (cell.Cell.CellType == "raw") { sb.Append($"<pre>{H(cell.Cell.Source)}</pre>\n"); continue; }
            var prompt = cell.ExecutionCount is { } n ? $"[{n}]" : "[ ]";
            var time = cell.Start is { } s && cell.End is { } e ? $" · {(e - s).TotalSeconds:0.00} s" : cell.ExecutionCount == null ? " · not run" : "";
            var tags = cell.Cell.Tags.Count > 0 ? " · tags: " + H(string.Join(", ", cell.Cell.Tags)) : "";
            sb.Append($"<div class=\"cell code\"><div class=\"prompt\">In {prompt} (cell {i + 1}){time}{tags}</div><pre class=\"src\"><code>{H(cell.Cell.Source)}</code></pre>\n");
            foreach (var output in cell.Outputs) sb.Append("<div class=\"output\">").Append(Output(output)).Append("</div>\n");
            sb.Append("</div>\n");
        }
        if (math) sb.Append("<script>").Append(Katex.Script).Append("</script>\n<script>").Append(Katex.RenderMath).Append("</script>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    static string Output(CellOutput output) => output switch
    {
        StreamOutput s => $"<pre class=\"{(s.Name == "stderr" ? "stderr" : "stdout")}\">{H(s.Text.ToString())}</pre>",
        ErrorOutput e => $"<pre class=\"error\"><b>{H(e.EName)}</b>: {H(e.EValue)}\n{H(string.Join("\n", e.Traceback.Skip(1).Take(40)))}</pre>",
        DisplayOutput d => d.Data["text/html"] ?? (d.Data["image/png"] is { } png ? $"<img src=\"data:image/png;base64,{png}\">" : $"<pre>{H(d.Data["text/plain"])}</pre>"),
        _ => "",
    };

    static string Facts(NotebookResult r)
    {
        var sb = new StringBuilder("<table class=\"facts\">");
        sb.Append($"<tr><th>status</th><td>{StatusHtml(r.Status)}</td></tr>");
        sb.Append($"<tr><th>profile</th><td>{H(r.Profile)}{(r.Profile == "smoke" ? " <span class=\"muted\">(claims recorded, not judged)</span>" : "")}</td></tr>");
        sb.Append($"<tr><th>started</th><td>{r.Started:yyyy-MM-dd HH:mm:ss zzz}</td></tr><tr><th>duration</th><td>{r.Duration.TotalSeconds:0.0} s</td></tr><tr><th>peak memory</th><td>{ProcessMemory.Format(r.PeakResidentBytes)}</td></tr>");
        if (r.Notebook.Parameters.Count > 0)
            sb.Append($"<tr><th>parameters</th><td><code>{H(string.Join(", ", r.Notebook.Parameters.Select(p => $"{p.Key} = {p.Value?.ToJsonString()}")))}</code></td></tr>");
        foreach (var d in r.Datasets)
            sb.Append($"<tr><th>dataset</th><td>requested {H(d.Requested)}, used <b>{H(d.Used)}</b><br><small>{H(d.Source)}</small></td></tr>");
        if (r.Failure is { } f)
            sb.Append($"<tr><th>error</th><td class=\"bad\">cell {f.Cell}: {H(f.EName)}: {H(f.Message)}</td></tr>");
        foreach (var w in r.Warnings) sb.Append($"<tr><th>warning</th><td>{H(w)}</td></tr>");
        if (r.Claims.Count > 0)
            sb.Append($"<tr><th>claims</th><td>{H(Summary.ClaimsLine(r.Claims))} ({H(NotebookRunner.ClaimCounts(r.Claims))})</td></tr>");
        sb.Append("</table>\n");
        if (r.Claims.Count > 0) sb.Append(ClaimsTable(r.Claims));
        if (r.Metrics.Count > 0)
        {
            sb.Append("<table><thead><tr><th style=\"text-align:left\">metric</th><th>value</th><th style=\"text-align:left\">unit</th></tr></thead><tbody>");
            foreach (var m in r.Metrics) sb.Append($"<tr><td style=\"text-align:left\">{H(m.Name)}</td><td>{m.Value:G5}</td><td style=\"text-align:left\">{H(m.Unit)}</td></tr>");
            sb.Append("</tbody></table>\n");
        }
        return sb.ToString();
    }

    static string ClaimsTable(IReadOnlyList<RunClaim> claims)
    {
        var sb = new StringBuilder("<table><thead><tr><th style=\"text-align:left\">claim</th><th style=\"text-align:left\">measure</th><th>measured</th><th>bound</th><th>verdict</th></tr></thead><tbody>");
        foreach (var c in claims)
        {
            var verdict = c.Verdict switch { Verdict.Passed => "<span class=\"ok\">passed</span>", Verdict.Failed => "<span class=\"bad\">FAILED</span>", _ => "<span class=\"muted\">not judged</span>" };
            sb.Append($"<tr><td style=\"text-align:left\">{H(c.Statement)}</td><td style=\"text-align:left\">{H(c.Measure)}</td><td>{c.Measured:G5}</td><td>{H(c.Bound)}</td><td>{verdict}</td></tr>");
        }
        return sb.Append("</tbody></table>\n").ToString();
    }

    public static string Index(IReadOnlyList<NotebookResult> results, IReadOnlyList<ReportFiles> files, RunOptions options, TimeSpan duration, int exitCode)
    {
        var all = results.SelectMany(r => r.Claims).ToList();
        var thumbnails = results.Select(FirstFigureJson).ToList();
        var sb = new StringBuilder();
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>VaeLab report</title>\n{Style}\n{IndexStyle}\n");
        if (thumbnails.Any(t => t != null) && PlotlyScript(results) is { } plotly) sb.Append(plotly).Append('\n');
        sb.Append("</head><body>\n");
        int ran = results.Count(r => r.Status == NotebookStatus.Ok);
        sb.Append($"<h1>VaeLab report</h1>\n<p class=\"lead\">{ran} of {results.Count} notebook(s) ran · <b>{H(Summary.ClaimsLine(all))}</b> · profile <b>{H(options.Profile)}</b> · {duration.TotalSeconds:0} s · exit code {exitCode}" +
                  $"{(options.Strict ? " (strict: failed claims count)" : "")} · <a href=\"summary.json\">summary.json</a></p>\n");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var name = r.Status == NotebookStatus.NotRun ? H(r.Notebook.Name) : $"<a href=\"{H(Path.GetFileName(files[i].Html))}\">{H(r.Notebook.Name)}</a>";
            sb.Append("<div class=\"nb\">");
            sb.Append(thumbnails[i] is { } fig
                ? $"<div class=\"thumb\" id=\"thumb-{i}\"></div><script>(function(){{var f={fig};var l=f.layout||{{}};l.width=240;l.height=170;l.margin={{l:20,r:10,t:10,b:20}};l.showlegend=false;l.title=undefined;l.annotations=undefined;for(var k in l){{if(/^[xy]axis/.test(k)&&l[k]){{l[k].title=undefined;l[k].tickfont={{size:8}};}}}}" +
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
                sb.Append("<ul class=\"failed\">").Append(string.Join("", failed.Select(c => $"<li>did not hold: {H(c.Statement)} — {H(c.Measure)} = {c.Measured:G4}, bound {H(c.Bound)}</li>"))).Append("</ul>");
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

/// <summary>KaTeX, embedded (Report/katex): renders the math spans Markdig emits, offline.</summary>
static class Katex
{
    public static string Script => _script.Value;
    public static string Css => _css.Value;

    /// <summary>
    /// Markdig writes $…$ and a $$…$$ inside a line as &lt;span class="math"&gt;\(…\)&lt;/span&gt;, and a $$ block as a
    /// div with \[…\]; render each in place, as a display when it is a div or stands alone in its paragraph.
    /// </summary>
    public const string RenderMath = """
        document.querySelectorAll(".math").forEach(function (el) {
          var p = el.parentElement;
          var alone = p && p.tagName === "P" && p.textContent.trim() === el.textContent.trim();
          var tex = el.textContent.trim(), display = el.tagName === "DIV" || alone;
          tex = tex.replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
          try { katex.render(tex, el, { displayMode: display, throwOnError: false }); } catch (e) { }
        });
        """;

    static readonly Lazy<string> _script = new(() => Read("katex.min.js"));
    static readonly Lazy<string> _css = new(() => Read("katex.inline.css"));

    static string Read(string name)
    {
        using var stream = typeof(Katex).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The runner was built without its embedded {name} (src/VaeLab.Runner/Report/katex).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
