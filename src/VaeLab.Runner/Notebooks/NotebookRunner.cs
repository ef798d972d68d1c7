using System.Diagnostics;
using System.Text.Json.Nodes;
using VaeLab.Runner.Engine;
using VaeLab.Reporting;

namespace VaeLab.Runner.Notebooks;

/// <summary>How notebooks are run.</summary>
/// <param name="Profile">"smoke", "default" or "paper"; injected as the parameter 'profile' where the notebook declares it.</param>
/// <param name="Parameters">Values from -p name=value.</param>
/// <param name="CellTimeout">Longest a cell may run; null for no limit.</param>
/// <param name="StopGrace">How long a cell gets to stop after an interrupt request before it is abandoned.</param>
/// <param name="Strict">Failed claims make the exit code non-zero (by default a failed claim is a finding, not a failed run).</param>
public sealed record RunOptions(string Profile, IReadOnlyList<ParameterValue> Parameters, TimeSpan? CellTimeout = null, TimeSpan? StopGrace = null,
    bool Strict = false)
{
    public static IReadOnlyList<string> Profiles => RunContract.Profiles;
    public bool JudgeClaims => RunContract.JudgesClaims(Profile);
    public TimeSpan Grace => StopGrace ?? TimeSpan.FromSeconds(5);
}

/// <summary>A notebook checked and with its parameters injected, ready to run.</summary>
public sealed class PreparedNotebook
{
    public required NotebookDocument Document { get; init; }
    public required List<NotebookCell> Cells { get; init; }
    /// <summary>Injected values (name → JSON value), in the order given.</summary>
    public required JsonObject Parameters { get; init; }
    public List<string> Warnings { get; } = new();
    public string Path => Document.Path;
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Document.Path);
}

public enum NotebookStatus { Ok, Error, Timeout, Interrupted, NotRun }

/// <summary>A cell after the run: its outputs, execution count (null if it did not run) and times.</summary>
public sealed class ExecutedCell(NotebookCell cell)
{
    public NotebookCell Cell { get; } = cell;
    public List<CellOutput> Outputs { get; } = new();
    public int? ExecutionCount { get; set; }
    public DateTimeOffset? Start { get; set; }
    public DateTimeOffset? End { get; set; }
}

/// <summary>Where a notebook failed: the cell (1-based position in the executed notebook) and the error.</summary>
public sealed record CellFailure(int Cell, int? ExecutionCount, string CellId, string EName, string Message);

public sealed class NotebookResult
{
    public required PreparedNotebook Notebook { get; init; }
    public required string Profile { get; init; }
    public List<ExecutedCell> Cells { get; } = new();
    public NotebookStatus Status { get; set; } = NotebookStatus.NotRun;
    public CellFailure? Failure { get; set; }
    public DateTimeOffset Started { get; set; }
    public TimeSpan Duration { get; set; }
    /// <summary>Peak resident memory of the process while this notebook ran, in bytes (Linux; null elsewhere).</summary>
    public long? PeakResidentBytes { get; set; }
    public IReadOnlyList<RunClaim> Claims { get; set; } = [];
    public IReadOnlyList<RunMetric> Metrics { get; set; } = [];
    public IReadOnlyList<RunDataset> Datasets { get; set; } = [];
    public List<string> Warnings { get; } = new();
    /// <summary>No judged claim failed or held on some seeds only (what --strict asks).</summary>
    public bool ClaimsHeld => Claims.All(c => c.Verdict is not (Verdict.Failed or Verdict.Mixed));
}

/// <summary>
/// Runs notebooks cell by cell on the .NET Interactive C# kernel (<see cref="KernelSession"/>, one per notebook), like
/// nbclient: a failing cell stops its notebook and its error is kept; a cell past its timeout (or a Ctrl+C) is
/// cancelled through the kernel, as VS Code's stop button does, and abandoned if it does not stop within the grace period.
/// </summary>
public sealed class NotebookRunner(RunOptions options, TextWriter console)
{
    readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    string _stopReason = "interrupted";

    public RunOptions Options => options;
    public bool StopRequested => _stop.Task.IsCompleted;

    /// <summary>Ctrl+C: interrupts the running cell; no further cell or notebook starts.</summary>
    public void RequestStop(string reason)
    {
        _stopReason = reason;
        _stop.TrySetResult();
    }

    /// <summary>Loads, checks and injects parameters; every problem is a <see cref="BadInputException"/>, before anything runs.</summary>
    public PreparedNotebook Prepare(string path)
    {
        var doc = NotebookDocument.Load(path);
        var cells = doc.Cells.Where(c => !c.Tags.Contains("injected-parameters")).ToList();
        var parametersCell = cells.FirstOrDefault(c => c.CellType == "code" && c.Tags.Contains("parameters"));
        var declared = parametersCell != null ? Parameters.Declared(parametersCell.Source) : new Dictionary<string, DeclaredParameter>();
        var values = new List<ParameterValue>();
        var warnings = new List<string>();
        foreach (var p in options.Parameters)
        {
            if (!declared.ContainsKey(p.Name))
                throw new BadInputException(parametersCell == null
                    ? $"{path}: -p {p.Name}=...: the notebook has no cell tagged 'parameters' to declare it. Tag the cell with the defaults 'parameters' (VS " +
                        $"Code: cell '...' menu → Add Cell Tag)."
                    : ParameterText.Unknown(path, p.Name, declared.Keys));
            values.RemoveAll(v => v.Name == p.Name);
            values.Add(p);
        }
        if (!values.Any(v => v.Name == "profile"))
        {
            if (declared.ContainsKey("profile")) values.Insert(0, new ParameterValue("profile", options.Profile));
            else if (options.Profile != "default") warnings.Add($"the notebook declares no 'profile' parameter, so profile '{options.Profile}' only decides " +
                $"whether claims are judged.");
        }
        else if (values.First(v => v.Name == "profile").Raw != options.Profile)
            throw new BadInputException($"{path}: -p profile={values.First(v => v.Name == "profile").Raw} contradicts --profile {options.Profile}; give " +
                $"one of them.");

        var json = new JsonObject();
        if (values.Count > 0)
        {
            var lines = new List<string> { "// Parameters injected by vaelab" };
            foreach (var v in values)
            {
                var (code, value) = Parameters.Declaration(v, declared[v.Name], path);
                lines.Add(code);
                json[v.Name] = value;
            }
            var metadata = new JsonObject
            {
                ["tags"] = new JsonArray("injected-parameters"),
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            };
            var injected = new NotebookCell
            {
                CellType = "code",
                Id = NotebookDocument.NewId(cells.Select(c => c.Id).ToHashSet()),
                Source = string.Join("\n", lines),
                Metadata = metadata,
            };
            cells.Insert(cells.IndexOf(parametersCell!) + 1, injected);
        }
        var prepared = new PreparedNotebook { Document = doc, Cells = cells, Parameters = json };
        prepared.Warnings.AddRange(warnings);
        return prepared;
    }

    /// <summary>Runs one notebook; never throws for notebook errors (they are in the result).</summary>
    public async Task<NotebookResult> RunAsync(PreparedNotebook notebook, string label)
    {
        var result = new NotebookResult { Notebook = notebook, Profile = options.Profile, Started = DateTimeOffset.Now };
        result.Warnings.AddRange(notebook.Warnings);
        foreach (var c in notebook.Cells) result.Cells.Add(new ExecutedCell(c));
        if (StopRequested) { result.Status = NotebookStatus.NotRun; return result; }

        console.WriteLine($"{label} {Relative(notebook.Path)}  (profile {options.Profile})");
        var clock = Stopwatch.StartNew();
        MemoryRelease.CollectAndTrim();  // the previous notebook's kernel, pages and JSON are garbage now: not part of this notebook's peak
        bool ownPeak = ProcessMemory.ResetPeak();
        var previousDirectory = Directory.GetCurrentDirectory();
        var folder = System.IO.Path.GetDirectoryName(notebook.Path)!;
        // The kernel's working directory is the notebook's folder, as in VS Code and Jupyter.
        Directory.SetCurrentDirectory(folder);
        var session = new KernelSession();
        bool abandoned = false;
        int codeCells = notebook.Cells.Count(c => c.CellType == "code"), codeIndex = 0, executionCount = 0;
        try
        {
            result.Status = NotebookStatus.Ok;
            for (int i = 0; i < result.Cells.Count; i++)
            {
                var cell = result.Cells[i];
                if (cell.Cell.CellType != "code") continue;
                codeIndex++;
                if (StopRequested)
                {
                    result.Status = NotebookStatus.Interrupted;
                    result.Failure ??= new CellFailure(i + 1, null, cell.Cell.Id, "Interrupted", $"{_stopReason} before cell {i + 1} ran");
                    break;
                }
                cell.ExecutionCount = ++executionCount;
                cell.Start = DateTimeOffset.Now;
                console.WriteLine($"  {clock.Elapsed:mm\\:ss}  cell {i + 1}/{result.Cells.Count} (code {codeIndex}/{codeCells})  memory " +
                    $"{ProcessMemory.Format(ProcessMemory.Resident)}, peak {ProcessMemory.Format(ProcessMemory.Peak)}");
                var sink = new CellSink(cell.Outputs, console);
                CellResult outcome;
                if (!IsCSharp(cell.Cell.KernelName))
                    outcome = CellResult.Fail("UnsupportedKernel",
                        $"cell {i + 1} is a '{cell.Cell.KernelName}' cell; vaelab runs C# cells only (no other .NET Interactive kernels). Rewrite it in C#.");
                else
                    (outcome, abandoned) = await ExecuteWithLimitsAsync(session, cell.Cell.Source, sink, $"cell {i + 1}");
                sink.Flush();
                cell.End = DateTimeOffset.Now;
                if (outcome.Error is { } error)
                {
                    cell.Outputs.Add(error);
                    result.Status = error.EName switch { "Timeout" => NotebookStatus.Timeout, "Interrupted" => NotebookStatus.Interrupted,
                        _ => NotebookStatus.Error };
                    result.Failure = new CellFailure(i + 1, cell.ExecutionCount, cell.Cell.Id, error.EName, error.EValue);
                    break;
                }
            }
            // The run log lives in the kernel. After a timeout or an interrupt the cancelled code may still be running
            // there (the kernel lets go of a cancelled command at once), and a question would wait behind it.
            bool kernelIdle = result.Status is NotebookStatus.Ok or NotebookStatus.Error;
            if (kernelIdle && await session.EvaluateAsync(RunRecord.Expression) is string json)
            {
                var record = RunRecord.Parse(json);
                result.Claims = record.Claims;
                result.Metrics = record.Metrics;
                result.Datasets = record.Datasets;
                result.Warnings.AddRange(record.Warnings);
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
            // An abandoned cell still runs on the kernel's thread: leave that kernel alone.
            if (!abandoned) session.Dispose();
            result.Duration = clock.Elapsed;
            // Without a reset the peak may come from an earlier notebook of this run; report it only when it is ours.
            result.PeakResidentBytes = ownPeak ? ProcessMemory.Peak : null;
        }
        var failedClaims = result.Claims.Count(c => c.Verdict == Verdict.Failed);
        console.WriteLine(result.Status == NotebookStatus.Ok
            ? $"  ok in {result.Duration.TotalSeconds:0.0} s, peak memory " +
                $"{ProcessMemory.Format(result.PeakResidentBytes)}{(result.Claims.Count > 0 ? $"; claims: {ClaimCounts(result.Claims)}" : "")}"
            : $"  {result.Status.ToString().ToUpperInvariant()} in cell {result.Failure!.Cell} after {result.Duration.TotalSeconds:0.0} s: " +
                $"{FirstLine(result.Failure.Message)}");
        if (failedClaims > 0 && result.Status == NotebookStatus.Ok) console.WriteLine($"  {failedClaims} claim(s) did not hold");
        return result;
    }

    /// <summary>C# cells: no kernel name (the notebook's default, C#) or one of the C# kernel's names.</summary>
    static bool IsCSharp(string? kernelName) => kernelName is null or "csharp" or "c#" or "C#";

    public static string ClaimCounts(IReadOnlyList<RunClaim> claims) =>
        VaeLab.Reporting.Pages.NotebookPageHtml.ClaimCounts(claims.Count(c => c.Verdict == Verdict.Passed), claims.Count(c => c.Verdict == Verdict.Failed),
            claims.Count(c => c.Verdict == Verdict.NotJudged), claims.Count(c => c.Verdict == Verdict.Mixed));

    static string FirstLine(string s) { var l = s.Split('\n')[0]; return l.Length > 200 ? l[..200] + "…" : l; }

    static string Relative(string path)
    {
        var r = System.IO.Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return r.StartsWith("..", StringComparison.Ordinal) ? path : r;
    }

    async Task<(CellResult Result, bool Abandoned)> ExecuteWithLimitsAsync(KernelSession session, string code, CellSink sink, string cellName)
    {
        // A thread of its own per cell: the kernel may run a cell's synchronous code on the caller's thread, and neither
        // the runner (which must notice a timeout or Ctrl+C) nor the thread pool may wait behind it.
        var run = OnOwnThread(() => session.ExecuteAsync(code, sink), cellName);
        using var timeoutCts = new CancellationTokenSource();
        var timeout = options.CellTimeout is { } t ? Task.Delay(t, timeoutCts.Token) : Task.Delay(Timeout.Infinite, timeoutCts.Token);
        var first = await Task.WhenAny(run, timeout, _stop.Task);
        timeoutCts.Cancel();
        if (first == run) return (await run, false);

        bool timedOut = first == timeout;
        var reason = timedOut ? $"{cellName} timed out after {options.CellTimeout!.Value.TotalSeconds:0.#} s" : $"{_stopReason} during {cellName}";
        _ = OnOwnThread(async () => { await session.CancelAsync(); return CellResult.Ok; }, "cancel");
        var ename = timedOut ? "Timeout" : "Interrupted";
        if (await Task.WhenAny(run, Task.Delay(options.Grace)) == run)
        {
            var r = await run;
            // Ctrl+C while a cell finished anyway: keep its result; the loop stops before the next cell.
            if (r.Succeeded && !timedOut) return (r, false);
            // Report why the cell stopped rather than the cancellation it stopped with.
            return (CellResult.Fail(ename, reason, r.Error?.Traceback), false);
        }
        return (CellResult.Fail(ename, $"{reason}; it did not stop within {options.Grace.TotalSeconds:0} s of the kernel's cancel request and was abandoned."),
            true);
    }

    static Task<CellResult> OnOwnThread(Func<Task<CellResult>> work, string name)
    {
        var done = new TaskCompletionSource<CellResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { done.SetResult(work().GetAwaiter().GetResult()); }
            catch (Exception e) { done.SetException(e); }
        }, maxStackSize: 64 << 20) { IsBackground = true, Name = $"vaelab {name}" };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Collects a cell's outputs (consecutive stream text merged) and prints the plain text of updated displays
    /// (training progress) beside the running cell, at most every <see cref="ProgressInterval"/> per display.
    /// </summary>
    sealed class CellSink(List<CellOutput> outputs, TextWriter console) : ICellOutputSink
    {
        public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
        readonly Dictionary<string, (DateTime Printed, string? Pending)> _progress = new();

        public void Stream(string name, string text)
        {
            lock (outputs)
            {
                if (outputs.Count > 0 && outputs[^1] is StreamOutput last && last.Name == name) last.Text.Append(text);
                else { var s = new StreamOutput(name); s.Text.Append(text); outputs.Add(s); }
            }
        }

        public void Display(DisplayOutput output) { lock (outputs) outputs.Add(output); }

        public void UpdateDisplay(DisplayOutput output)
        {
            var line = output.Data["text/plain"];
            if (string.IsNullOrWhiteSpace(line)) return;
            lock (_progress)
            {
                var now = DateTime.UtcNow;
                if (!_progress.TryGetValue(output.DisplayId, out var p) || now - p.Printed >= ProgressInterval)
                {
                    Print(line);
                    _progress[output.DisplayId] = (now, null);
                }
                else _progress[output.DisplayId] = (p.Printed, line);
            }
        }

        /// <summary>Prints each display's last update that the interval held back (a finished run's final line).</summary>
        public void Flush()
        {
            lock (_progress)
                foreach (var (id, p) in _progress.ToList())
                    if (p.Pending is { } line) { Print(line); _progress[id] = (DateTime.UtcNow, null); }
        }

        void Print(string line) { lock (console) console.WriteLine($"         | {line.Split('\n')[0]}"); }
    }
}
