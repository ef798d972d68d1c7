namespace VaeLab.Reporting.Pages;

// The content of one notebook's HTML page, in neutral types: `vaelab run` fills it from an executed notebook, an
// exported app (VaeLab.Hosting.NotebookApp) from what its cells displayed; NotebookPageHtml renders both alike.
// This file and NotebookPageHtml.cs are compiled into VaeLab and, linked, into the runner (internal in both).

/// <summary>A notebook's page: title, a line of links, the run's facts, and the cells with their outputs.</summary>
internal sealed record NotebookPage(string Title, string LinksHtml, PageRun Run, IReadOnlyList<PageCell> Cells);

/// <summary>The facts of one run, shown at the top of its page: the status ("ok", "error", "timeout",
/// "interrupted"), the parameters given (one "name = value" each, the value as JSON) and the rest as named.</summary>
internal sealed record PageRun(
    string StatusName, string Profile, DateTimeOffset Started, TimeSpan Duration, long? PeakResidentBytes,
    IReadOnlyList<string> Parameters, IReadOnlyList<PageDataset> Datasets, string? Failure, IReadOnlyList<string> Warnings,
    IReadOnlyList<PageClaim> Claims, IReadOnlyList<PageMetric> Metrics)
{
    public bool Ok => StatusName == "ok";
}

/// <summary>A claim's row: <paramref name="Verdict"/> is "passed", "failed", "mixed" or "not-judged"; <paramref name="Note"/>, the
/// claim's note (over seeds it lists each seed's value).</summary>
internal sealed record PageClaim(string Statement, string Measure, double Measured, string Bound, string Verdict, string? Note = null);

internal sealed record PageMetric(string Name, double Value, string? Unit);

internal sealed record PageDataset(string Requested, string Used, string Source);

/// <summary>A cell: <paramref name="Kind"/> is "markdown", "raw" or "code"; code cells carry a prompt line and their
/// outputs as HTML fragments (<see cref="NotebookPageHtml.StreamOutput"/> and friends).</summary>
internal sealed record PageCell(string Kind, string Source, string? Prompt = null, IReadOnlyList<string>? Outputs = null);
