using System.Globalization;
using System.Net;
using System.Text;
using Markdig;

namespace VaeLab.Reporting.Pages;

/// <summary>
/// The self-contained HTML page of one notebook run (markdown rendered with Markdig, LaTeX with KaTeX, code, outputs,
/// the run's facts, claims and metrics). Charts carry plotly.js inline (the run's first chart does, as VaeLab's
/// PlotlyHtml writes it), so pages render offline. `vaelab run`'s report and exported apps both render with this.
/// </summary>
internal static class NotebookPageHtml
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public const string Style = """
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.45}
        pre{background:#f6f8fa;padding:.6em .8em;overflow-x:auto;border-radius:6px;font-size:13px;margin:.3em 0}
        .cell{margin:1em 0}.code pre.src{border-left:3px solid #0969da}
        .prompt{color:#6e7781;font-size:12px;font-family:monospace}
        .output{margin-left:1em}.stderr{background:#fff8c5}.error{background:#ffebe9;color:#82071e}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:right}
        .ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}.mixed{color:#9a6700;font-weight:bold}.muted{color:#6e7781}
        .facts td,.facts th{text-align:left}
        </style>
        """;

    public static string H(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>A verdict's name in summary.json and on the pages: "passed", "failed", "mixed" or "not-judged".</summary>
    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Passed => "passed", Verdict.Failed => "failed", Verdict.Mixed => "mixed", Verdict.NotJudged => "not-judged",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
    };

    public static string StatusHtml(string statusName) => statusName == "ok"
        ? "<span class=\"ok\">ok</span>"
        : $"<span class=\"bad\">{H(statusName)}</span>";

    /// <summary>"1.23 GB", or "?" when unknown.</summary>
    public static string Bytes(long? bytes) => bytes is { } b ? (b / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB" : "?";

    /// <summary>"12 of 15 claims held" (", 2 mixed over seeds" where some held on some seeds only; "recorded, not judged" when none was judged).</summary>
    public static string ClaimsLine(int total, int judged, int held, int mixed = 0) =>
        total == 0 ? "no claims recorded" : judged == 0 ? $"{total} claim(s) recorded, not judged"
        : $"{held} of {judged} claims held{(mixed > 0 ? $", {mixed} mixed over seeds" : "")}";

    public static string ClaimCounts(int passed, int failed, int notJudged, int mixed = 0) =>
        $"{passed} passed, {(mixed > 0 ? $"{mixed} mixed, " : "")}{failed} failed, {notJudged} not judged";

    static string ClaimsLine(IReadOnlyList<PageClaim> c)
        => ClaimsLine(c.Count, c.Count(x => x.Verdict != "not-judged"), c.Count(x => x.Verdict == "passed"), c.Count(x => x.Verdict == "mixed"));

    // Outputs, as Jupyter knows them.
    public static string StreamOutput(string name, string text) => $"<pre class=\"{(name == "stderr" ? "stderr" : "stdout")}\">{H(text)}</pre>";
    public static string ErrorOutput(string ename, string evalue, IEnumerable<string> traceback) =>
        $"<pre class=\"error\"><b>{H(ename)}</b>: {H(evalue)}\n{H(string.Join("\n", traceback.Skip(1).Take(40)))}</pre>";
    public static string DisplayOutput(string? html, string? png, string? plain) =>
        html ?? (png is not null ? $"<img src=\"data:image/png;base64,{png}\">" : $"<pre>{H(plain)}</pre>");

    public static string Render(NotebookPage page)
    {
        var markdown = page.Cells.Select(c => c.Kind == "markdown" ? Markdig.Markdown.ToHtml(c.Source, Markdown) : null).ToArray();
        bool math = markdown.Any(m => m != null && m.Contains("class=\"math\"", StringComparison.Ordinal));
        var sb = new StringBuilder();
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{H(page.Title)} — VaeLab</title>\n{Style}\n");
        if (math) sb.Append("<style>").Append(Katex.Css).Append("</style>\n");
        sb.Append("</head><body>\n");
        sb.Append($"<p class=\"muted\">{page.LinksHtml}</p>\n");
        sb.Append($"<h1>{H(page.Title)}</h1>\n");
        sb.Append(Facts(page.Run));
        for (int i = 0; i < page.Cells.Count; i++)
        {
            var cell = page.Cells[i];
            if (cell.Kind == "markdown") { sb.Append($"<div class=\"cell markdown\">{markdown[i]}</div>\n"); continue; }
            if (cell.Kind == "raw") { sb.Append($"<pre>{H(cell.Source)}</pre>\n"); continue; }
            sb.Append($"<div class=\"cell code\"><div class=\"prompt\">{cell.Prompt}</div><pre class=\"src\"><code>{H(cell.Source)}</code></pre>\n");
            foreach (var output in cell.Outputs ?? []) sb.Append("<div class=\"output\">").Append(output).Append("</div>\n");
            sb.Append("</div>\n");
        }
        if (math) sb.Append("<script>").Append(Katex.Script).Append("</script>\n<script>").Append(Katex.RenderMath).Append("</script>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    static string Facts(PageRun r)
    {
        var sb = new StringBuilder("<table class=\"facts\">");
        sb.Append($"<tr><th>status</th><td>{StatusHtml(r.StatusName)}</td></tr>");
        var notJudged = RunContract.JudgesClaims(r.Profile) ? "" : " <span class=\"muted\">(claims recorded, not judged)</span>";
        sb.Append($"<tr><th>profile</th><td>{H(r.Profile)}{notJudged}</td></tr>");
        sb.Append($"<tr><th>started</th><td>{r.Started:yyyy-MM-dd HH:mm:ss zzz}</td></tr><tr><th>duration</th><td>{r.Duration.TotalSeconds:0.0} " +
            $"s</td></tr><tr><th>peak memory</th><td>{Bytes(r.PeakResidentBytes)}</td></tr>");
        if (r.Parameters.Count > 0)
            sb.Append($"<tr><th>parameters</th><td><code>{H(string.Join(", ", r.Parameters))}</code></td></tr>");
        foreach (var d in r.Datasets)
            sb.Append($"<tr><th>dataset</th><td>requested {H(d.Requested)}, used <b>{H(d.Used)}</b><br><small>{H(d.Source)}</small></td></tr>");
        if (r.Failure is { } f)
            sb.Append($"<tr><th>error</th><td class=\"bad\">{H(f)}</td></tr>");
        foreach (var w in r.Warnings) sb.Append($"<tr><th>warning</th><td>{H(w)}</td></tr>");
        if (r.Claims.Count > 0)
            sb.Append($"<tr><th>claims</th><td>{H(ClaimsLine(r.Claims))} " +
                $"({H(ClaimCounts(r.Claims.Count(c => c.Verdict == "passed"), r.Claims.Count(c => c.Verdict == "failed"),
                    r.Claims.Count(c => c.Verdict == "not-judged"), r.Claims.Count(c => c.Verdict == "mixed")))})</td></tr>");
        sb.Append("</table>\n");
        if (r.Claims.Count > 0) sb.Append(ClaimsTable(r.Claims));
        if (r.Metrics.Count > 0)
        {
            sb.Append("<table><thead><tr><th style=\"text-align:left\">metric</th><th>value</th><th style=\"text-align:left\">unit</th></tr></thead><tbody>");
            foreach (var m in r.Metrics) sb.Append($"<tr><td style=\"text-align:left\">{H(m.Name)}</td><td>{m.Value:G5}</td><td " +
                $"style=\"text-align:left\">{H(m.Unit)}</td></tr>");
            sb.Append("</tbody></table>\n");
        }
        return sb.ToString();
    }

    static string ClaimsTable(IReadOnlyList<PageClaim> claims)
    {
        var sb = new StringBuilder("<table><thead><tr><th style=\"text-align:left\">claim</th><th " +
            "style=\"text-align:left\">measure</th><th>measured</th><th>bound</th><th>verdict</th></tr></thead><tbody>");
        foreach (var c in claims)
        {
            var verdict = c.Verdict switch { "passed" => "<span class=\"ok\">passed</span>", "failed" => "<span class=\"bad\">FAILED</span>",
                "mixed" => "<span class=\"mixed\">mixed</span>", _ => "<span class=\"muted\">not judged</span>" };
            var note = c.Note != null ? $"<br><small class=\"muted\">{H(c.Note)}</small>" : "";
            sb.Append($"<tr><td style=\"text-align:left\">{H(c.Statement)}{note}</td>" +
                $"<td style=\"text-align:left\">{H(c.Measure)}</td><td>{c.Measured:G5}</td><td>{H(c.Bound)}</td><td>{verdict}</td></tr>");
        }
        return sb.Append("</tbody></table>\n").ToString();
    }
}
