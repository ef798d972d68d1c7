using System.Diagnostics;
using VaeLab.Runner.Notebooks;
using VaeLab.Runner.Report;
using VaeLab.Reporting;

namespace VaeLab.Runner;

/// <summary>What <c>vaelab run</c> and <c>vaelab reproduce</c> do, callable in-process (the tests do).</summary>
public static class Cli
{
    public const int ExitBadInput = 2;

    /// <summary>Runs the notebooks and writes the executed notebooks, HTML pages, index.html and summary.json to <paramref name="outDir"/>.</summary>
    /// <param name="onRunner">Receives the runner before anything runs (Ctrl+C handling calls its RequestStop).</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> notebooks, IReadOnlyList<string> parameterPairs, string profile, string outDir,
        double? cellTimeoutSeconds, TextWriter console, TextWriter error, Action<NotebookRunner>? onRunner = null, bool strict = false)
    {
        var started = DateTimeOffset.Now;
        var commit = Summary.GitCommit();  // what the run starts from: a commit made while it runs is not what it ran
        var clock = Stopwatch.StartNew();
        NotebookRunner runner;
        var prepared = new List<PreparedNotebook>();
        string outFull;
        try
        {
            if (!RunOptions.Profiles.Contains(profile))
                throw new BadInputException($"--profile {profile}: unknown profile. Use smoke, default or paper.");
            if (notebooks.Count == 0) throw new BadInputException("no notebooks given. Usage: vaelab run <notebook.ipynb>... [-p name=value]... [--profile " +
                "smoke|default|paper] [--out DIR]");
            if (cellTimeoutSeconds is <= 0) throw new BadInputException($"--cell-timeout {cellTimeoutSeconds}: give a number of seconds above 0.");
            var parameters = parameterPairs.Select(ParameterValue.Parse).ToList();
            TimeSpan? timeout = cellTimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : profile == RunContract.Smoke ? TimeSpan.FromMinutes(10) : null;
            runner = new NotebookRunner(new RunOptions(profile, parameters, timeout, Strict: strict), console);
            outFull = Path.GetFullPath(outDir);
            foreach (var path in notebooks.Distinct())
            {
                var nb = runner.Prepare(path);
                if (Path.GetDirectoryName(nb.Path) == outFull)
                    throw new BadInputException($"{path}: --out {outDir} is the notebook's own folder; the executed copy would overwrite it. Choose " +
                        $"another --out.");
                prepared.Add(nb);
            }
        }
        catch (BadInputException e)
        {
            error.WriteLine($"vaelab: {e.Message}");
            return ExitBadInput;
        }
        onRunner?.Invoke(runner);

        var files = PlanFiles(prepared, outFull);
        var results = new List<NotebookResult>();
        for (int i = 0; i < prepared.Count; i++)
        {
            var result = await runner.RunAsync(prepared[i], $"[{i + 1}/{prepared.Count}]");
            results.Add(result);
            if (result.Status == NotebookStatus.NotRun) continue;
            AtomicFile.WriteAllText(files[i].Notebook, NotebookWriter.ToJson(result));
            AtomicFile.WriteAllText(files[i].Html, HtmlReport.NotebookPage(result, files[i]));
            WriteIndex(results, files, runner, clock.Elapsed, started, commit, outFull);
        }
        int exit = WriteIndex(results, files, runner, clock.Elapsed, started, commit, outFull);
        PrintSummary(results, runner.Options, exit, Path.Combine(outFull, "index.html"), console, runner.StopRequested);
        return exit;
    }

    /// <summary>vaelab export: writes each notebook as a C# file-based app into <paramref name="outDir"/>; on bad input nothing is written (exit 2).</summary>
    public static int Export(IReadOnlyList<string> notebooks, bool all, string? notebooksDir, string to, string outDir, TextWriter console, TextWriter error)
    {
        try
        {
            if (to != "cs") throw new BadInputException($"--to {to}: unknown format. The one export format is cs (a C# file-based app).");
            if (all && notebooks.Count > 0) throw new BadInputException("give notebooks or --all, not both.");
            if (!all && notebooks.Count == 0) throw new BadInputException("no notebooks given. Usage: vaelab export <notebook.ipynb>... [--to cs] [--out " +
                "DIR], or vaelab export --all.");
            var list = all ? FindNotebooks(notebooksDir, out _) : notebooks;
            foreach (var file in VaeLab.Runner.Export.NotebookExporter.ExportAll(list, outDir))
            {
                var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
                console.WriteLine($"wrote {relative}   run: dotnet run {relative} -- -p profile=smoke");
            }
            return 0;
        }
        catch (BadInputException e)
        {
            error.WriteLine($"vaelab: {e.Message}");
            return ExitBadInput;
        }
    }

    /// <summary>vaelab results: docs/results.md from summary.json files (stdout, or <paramref name="outFile"/> written atomically).</summary>
    public static int Results(IReadOnlyList<string> summaries, string? outFile, TextWriter console, TextWriter error)
    {
        try
        {
            if (summaries.Count == 0) throw new BadInputException("no summary.json given. Usage: vaelab results artifacts/report/summary.json [more...] " +
                "[--out docs/results.md]");
            var runs = new List<(string, System.Text.Json.Nodes.JsonObject)>();
            foreach (var path in summaries)
            {
                if (!File.Exists(path)) throw new BadInputException($"{path}: no such file. Pass the summary.json that vaelab run or reproduce wrote (in its " +
                    $"--out folder).");
                System.Text.Json.Nodes.JsonNode? node;
                try { node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)); }
                catch (System.Text.Json.JsonException e) { throw new BadInputException($"{path}: not valid JSON ({e.Message}). Run the notebooks again to " +
                    $"rewrite it."); }
                if (node is not System.Text.Json.Nodes.JsonObject o || o["notebooks"] is not System.Text.Json.Nodes.JsonArray)
                    throw new BadInputException($"{path}: not a vaelab summary.json (no \"notebooks\" list).");
                runs.Add((Path.GetRelativePath(Directory.GetCurrentDirectory(), path), o));
            }
            var text = ResultsPage.Render(runs);
            if (outFile == null) console.Write(text);
            else
            {
                if (Path.GetDirectoryName(Path.GetFullPath(outFile)) is { } dir) Directory.CreateDirectory(dir);
                AtomicFile.WriteAllText(outFile, text);
                console.WriteLine($"wrote {outFile}");
            }
            return 0;
        }
        catch (BadInputException e)
        {
            error.WriteLine($"vaelab: {e.Message}");
            return ExitBadInput;
        }
    }

    static int WriteIndex(List<NotebookResult> results, IReadOnlyList<ReportFiles> files, NotebookRunner runner, TimeSpan elapsed, DateTimeOffset started,
        string? commit,
        string outDir)
    {
        int exit = Summary.ExitCode(results, runner.Options, runner.StopRequested);
        var planned = files.Take(results.Count).ToList();
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.json"),
            Summary.ToJson(Summary.Build(results, planned, runner.Options, started, elapsed, exit, commit)));
        AtomicFile.WriteAllText(Path.Combine(outDir, "index.html"), HtmlReport.Index(results, planned, runner.Options, elapsed, exit));
        return exit;
    }

    /// <summary>executed/&lt;name&gt;.ipynb and &lt;name&gt;.html, made unique when two notebooks share a name.</summary>
    static IReadOnlyList<ReportFiles> PlanFiles(IReadOnlyList<PreparedNotebook> notebooks, string outDir)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "index", "summary" };
        var list = new List<ReportFiles>();
        foreach (var nb in notebooks)
        {
            var name = nb.Name;
            for (int k = 2; !taken.Add(name); k++) name = $"{nb.Name}-{k}";
            list.Add(new ReportFiles(Path.Combine(outDir, name + ".ipynb"), Path.Combine(outDir, name + ".html")));
        }
        return list;
    }

    static void PrintSummary(IReadOnlyList<NotebookResult> results, RunOptions options, int exit, string index, TextWriter console, bool interrupted)
    {
        console.WriteLine();
        console.WriteLine($"Summary (profile {options.Profile}{(options.JudgeClaims ? "" : ": claims recorded, not judged")}):");
        foreach (var r in results.Take(30))
        {
            var claims = r.Claims.Count > 0 ? $"  claims {NotebookRunner.ClaimCounts(r.Claims)}" : "";
            var err = r.Failure is { } f ? $"  cell {f.Cell}: {f.EName}: {Clip(f.Message, 90)}" : "";
            console.WriteLine($"  {Summary.StatusName(r.Status),-11} {Clip(r.Notebook.Name, 40),-40} {r.Duration.TotalSeconds,7:0.0} s{claims}{err}");
        }
        if (results.Count > 30) console.WriteLine($"  ... and {results.Count - 30} more (see summary.json)");
        var failed = results.SelectMany(r => r.Claims.Where(c => c.Verdict == Verdict.Failed).Select(c => (r, c))).ToList();
        foreach (var (r, c) in failed.Take(10))
            console.WriteLine($"  claim FAILED in {r.Notebook.Name}: {Clip(c.Statement, 60)}: {c.Measure} = {c.Measured:G4} (bound {c.Bound})");
        if (failed.Count > 10) console.WriteLine($"  ... {failed.Count - 10} more failed claims (see summary.json)");
        var mixed = results.SelectMany(r => r.Claims.Where(c => c.Verdict == Verdict.Mixed).Select(c => (r, c))).ToList();
        foreach (var (r, c) in mixed.Take(10))
            console.WriteLine($"  claim MIXED in {r.Notebook.Name}: {Clip(c.Statement, 60)}: {c.Measure}: " +
                $"{string.Join(", ", c.Seeds!.Select(x => $"seed {x.Seed} {x.Measured:G4} {Summary.VerdictName(x.Verdict)}"))} (bound {c.Bound})");
        if (interrupted) console.WriteLine("  interrupted: the notebooks that ran so far were written.");
        console.WriteLine($"Report: {index}");
        int ran = results.Count(r => r.Status == NotebookStatus.Ok);
        var claimsLine = Summary.ClaimsLine(results.SelectMany(r => r.Claims).ToList());
        console.WriteLine($"{ran} of {results.Count} notebook(s) ran without error; " +
            $"{claimsLine}{(options.Strict && failed.Count + mixed.Count > 0 ? " (--strict: failed or mixed claims give exit code 1)" : "")}. Exit " +
            $"code {exit}.");
    }

    static string Clip(string s, int n) { s = s.Split('\n')[0]; return s.Length <= n ? s : s[..(n - 1)] + "…"; }

    /// <summary>The notebooks of <c>vaelab reproduce</c>: notebooks/*.ipynb of the repository, in name order.</summary>
    public static IReadOnlyList<string> FindNotebooks(string? notebooksDir, out string folder)
    {
        folder = notebooksDir ?? FindRepositoryNotebooks();
        if (!Directory.Exists(folder)) throw new BadInputException($"no notebooks folder at {folder}. Run vaelab reproduce from the repository (or pass " +
            $"--notebooks DIR).");
        var found = Directory.GetFiles(folder, "*.ipynb").Where(f => !Path.GetFileName(f).StartsWith('.')).OrderBy(f => Path.GetFileName(f),
            StringComparer.Ordinal).ToList();
        if (found.Count == 0) throw new BadInputException($"no .ipynb notebooks in {folder}.");
        return found;
    }

    static string FindRepositoryNotebooks()
    {
        if (RunContract.FindRepositoryRoot() is { } root) return Path.Combine(root, "notebooks");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "notebooks"))) return Path.Combine(dir.FullName, "notebooks");
        return Path.GetFullPath("notebooks");
    }
}
