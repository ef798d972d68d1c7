using System.Diagnostics;
using System.Text.Json;
using VaeLab.Reporting;
using VaeLab.Reporting.Pages;

namespace VaeLab.Hosting;

/// <summary>
/// The state of one exported app's run: the running cell, each cell's outputs and times, the parameters given, and
/// how the run ended; it writes the app's HTML page (<see cref="NotebookPageHtml"/>, the renderer of `vaelab run`'s
/// report) after every cell and at the end, atomically.
/// </summary>
internal sealed class AppRun(string notebook, string? sourcePath, string pagePath)
{
    readonly object _gate = new();
    readonly Dictionary<int, List<AppOutput>> _outputs = new();
    readonly Dictionary<int, (DateTimeOffset Start, DateTimeOffset? End)> _times = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public string Notebook { get; } = notebook;
    public string PagePath { get; } = pagePath;
    public DateTimeOffset Started { get; } = DateTimeOffset.Now;
    public int Cell { get; private set; }
    public string Status { get; private set; } = "running";
    public string? Failure { get; private set; }
    public string Profile { get; set; } = "default";
    /// <summary>"name = value" for each parameter given on the command line.</summary>
    public List<string> Given { get; } = new();

    public void BeginCell(int number)
    {
        lock (_gate)
        {
            if (Cell > 0 && _times.TryGetValue(Cell, out var t)) _times[Cell] = (t.Start, DateTimeOffset.Now);
            Cell = number;
            _times[number] = (DateTimeOffset.Now, null);
        }
    }

    List<AppOutput> Current => _outputs.TryGetValue(Cell, out var list) ? list : _outputs[Cell] = new();

    public AppOutput Add(string html)
    {
        lock (_gate) { var o = new AppOutput(null) { Html = html }; Current.Add(o); return o; }
    }

    public void Replace(AppOutput output, string html) { lock (_gate) output.Html = html; }

    public void AddStream(string stream, string text)
    {
        lock (_gate)
        {
            var list = Current;
            if (list.Count == 0 || list[^1].Stream != stream) list.Add(new AppOutput(stream));
            list[^1].Text.Append(text);
        }
    }

    public void End(string status, string? failure = null, Exception? error = null)
    {
        lock (_gate)
        {
            if (Cell > 0 && _times.TryGetValue(Cell, out var t) && t.End is null) _times[Cell] = (t.Start, DateTimeOffset.Now);
            Status = status;
            Failure = failure;
            if (error != null)
            {
                var o = new AppOutput(null) { Html = NotebookPageHtml.ErrorOutput(error.GetType().Name, error.Message, error.ToString().Split('\n')) };
                Current.Add(o);
            }
        }
    }

    public void WritePage()
    {
        string html;
        lock (_gate) html = NotebookPageHtml.Render(Page());
        AtomicFile.WriteAllText(PagePath, html);
    }

    NotebookPage Page()
    {
        var log = RunLog.Current;
        var source = AppSource.Read(sourcePath);
        var cells = new List<PageCell>();
        foreach (var (n, (kind, text)) in source)
        {
            if (kind != "code") { cells.Add(new PageCell(kind, text)); continue; }
            var ran = _times.TryGetValue(n, out var t);
            var time = ran && t.End is { } end ? $" · {(end - t.Start).TotalSeconds:0.00} s" : ran ? " · running" : " · not run";
            cells.Add(new PageCell("code", text, $"In [{n}] (cell {n}){time}", Outputs(n)));
        }
        // Outputs of cells the source does not show (the file could not be read back): kept, without their code.
        foreach (var n in _outputs.Keys.Where(n => !source.ContainsKey(n)).Order())
            cells.Add(new PageCell("code", "", $"cell {n}", Outputs(n)));
        var run = new PageRun(Status, Profile, Started, _clock.Elapsed, PeakResidentBytes(), Given,
            log.Datasets.Select(d => new PageDataset(d.Requested, d.Used, d.Source)).ToList(), Failure, log.Warnings,
            log.Claims.Select(c => new PageClaim(c.Statement, c.Measure, c.Measured, c.Bound.ToString(),
                NotebookPageHtml.VerdictName(c.Verdict), c.Note)).ToList(),
            log.Metrics.Select(m => new PageMetric(m.Name, m.Value, m.Unit)).ToList());
        var app = sourcePath is null ? "" : Path.GetFileName(sourcePath);
        var links = $"C# file-based app <code>{NotebookPageHtml.H(app)}</code>, exported by <code>vaelab export</code> from " +
                    $"<code>{NotebookPageHtml.H(Notebook)}</code> · run again: <code>dotnet run {NotebookPageHtml.H(app)} -- -p " +
                        $"profile={NotebookPageHtml.H(Profile)}</code>";
        return new NotebookPage(Path.GetFileNameWithoutExtension(Notebook), links, run, cells);
    }

    List<string> Outputs(int n) => _outputs.TryGetValue(n, out var list)
        ? list.Select(o => o.Stream is { } s ? NotebookPageHtml.StreamOutput(s, o.Text.ToString()) : o.Html).ToList()
        : [];

    static long? PeakResidentBytes()
    {
        try { return Process.GetCurrentProcess().PeakWorkingSet64; } catch (PlatformNotSupportedException) { return null; }
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
