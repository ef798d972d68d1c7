using System.Text.Json.Nodes;

namespace VaeLab.Runner.Tests;

public class RunnerTests
{
    [Fact]
    public void Outputs_fixture_writes_a_valid_polyglot_notebook_with_every_output_kind()
    {
        var run = RunOutcome.Fixtures("outputs.ipynb");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        var path = Path.Combine(run.OutDir, "outputs.ipynb");
        Nbformat.AssertValid(path);
        var nb = run.Notebook("outputs");

        Assert.Equal(4, nb["nbformat"]!.GetValue<int>());
        Assert.Equal(5, nb["nbformat_minor"]!.GetValue<int>());
        Assert.Equal(".net-csharp", nb["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", nb["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        var cells = Json.Cells(nb);
        Assert.All(cells, c => Assert.False(string.IsNullOrEmpty(c!["id"]?.GetValue<string>())));
        var counts = cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code").Select(c => c!["execution_count"]!.GetValue<int>()).ToArray();
        Assert.Equal(Enumerable.Range(1, 10), counts);
        Assert.All(cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code"), c =>
        {
            var exec = c!["metadata"]!["execution"]!;
            Assert.True(DateTimeOffset.Parse(exec["iopub.status.busy"]!.GetValue<string>()) <= DateTimeOffset.Parse(exec["shell.execute_reply"]!.GetValue<string>()));
        });

        // Merged stdout.
        var stream = Assert.Single(Json.Outputs(nb, 2));
        Assert.Equal("stream", stream!["output_type"]!.GetValue<string>());
        Assert.Equal("line one\nline two\n", Json.Text(stream["text"]));
        // The kernel's own formatting: a number as HTML, a string as plain text.
        Assert.Contains("<pre>42</pre>", Json.Text(Json.Outputs(nb, 3).Single()!["data"]!["text/html"]));
        Assert.Equal("a string", Json.Text(Json.Outputs(nb, 4).Single()!["data"]!["text/plain"]));
        // display(x).Update(y): this .NET Interactive returns a handle whose id is not the output's, so, as in
        // Jupyter, the output keeps its first value (VaeLab's progress displays do update: see progress.ipynb).
        var updated = Assert.Single(Json.Outputs(nb, 5));
        Assert.Equal("display_data", updated!["output_type"]!.GetValue<string>());
        Assert.Equal("first", Json.Text(updated["data"]!["text/plain"]));
        // The extension's tensor summary, claims table, objects.
        Assert.StartsWith("Tensor float32 [2, 3] on cpu", Json.Text(Json.Outputs(nb, 6).Single()!["data"]!["text/plain"]));
        Assert.Contains("vaelab-claims", Json.Text(Json.Outputs(nb, 7).Single()!["data"]!["text/html"]));
        Assert.Equal(2, Json.Outputs(nb, 8).Count);
        Assert.Equal(["stderr", "stdout"], Json.Outputs(nb, 9).Select(o => o!["name"]!.GetValue<string>()));
        Assert.Empty(Json.Outputs(nb, 10)); // a statement with a semicolon shows nothing

        var html = run.Html("outputs");
        Assert.Contains(">Outputs</h1>", html); // markdown rendered
        Assert.Contains("<table>", html);
        Assert.Contains("line one\nline two", html);
        Assert.Contains("outputs.html", File.ReadAllText(Path.Combine(run.OutDir, "index.html")));
        Assert.Empty(Directory.GetFiles(run.OutDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Charts_render_offline_with_one_copy_of_plotly_per_notebook()
    {
        var run = RunOutcome.Fixtures("chart.ipynb");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        Nbformat.AssertValid(Path.Combine(run.OutDir, "chart.ipynb"));
        var nb = run.Notebook("chart");
        var first = Json.Text(Json.Outputs(nb, 1).Single()!["data"]!["text/html"]);
        var second = Json.Text(Json.Outputs(nb, 2).Single()!["data"]!["text/html"]);
        Assert.Contains("plotly.js v2", first); // the notebook's first chart carries plotly.js
        Assert.DoesNotContain("plotly.js v2", second); // later ones reuse window.Plotly
        Assert.Contains("Plotly.newPlot(", second);
        var html = run.Html("chart");
        Assert.Equal(1, Count(html, "* plotly.js v2"));
        Assert.Equal(2, Count(html, "window.Plotly.newPlot('vaelab-chart-"));
        Assert.DoesNotMatch("<script[^>]*src=", html); // nothing fetched from a CDN
    }

    static int Count(string s, string what) { int n = 0, i = 0; while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; } return n; }

    [Fact]
    public void A_failing_cell_stops_its_notebook_and_other_notebooks_still_run()
    {
        var run = RunOutcome.Fixtures("error.ipynb", "compile-error.ipynb", "progress.ipynb");
        Assert.Equal(1, run.ExitCode);
        Nbformat.AssertValid(Path.Combine(run.OutDir, "error.ipynb"));
        var nb = run.Notebook("error");
        var error = Json.Outputs(nb, 1).Last()!;
        Assert.Equal("error", error["output_type"]!.GetValue<string>());
        Assert.Equal("System.DivideByZeroException", error["ename"]!.GetValue<string>());
        Assert.Contains("Divide", Json.Text(error["traceback"]));
        Assert.Null(nb["cells"]![2]!["execution_count"]); // never ran
        Assert.Empty(Json.Outputs(nb, 2));

        var summary = run.Summary["notebooks"]!.AsArray();
        Assert.Equal(["error", "error", "ok"], summary.Select(n => n!["status"]!.GetValue<string>()));
        Assert.Equal(2, summary[0]!["error"]!["cell"]!.GetValue<int>());
        Assert.Equal("Attempted to divide by zero.", summary[0]!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("CompilationError", summary[1]!["error"]!["ename"]!.GetValue<string>());
        Assert.Contains("CS0103", summary[1]!["error"]!["message"]!.GetValue<string>());
        Assert.Contains("cell 2: System.DivideByZeroException", run.Console);
    }

    [Fact]
    public void Math_in_markdown_is_rendered_offline_by_embedded_katex_only_where_needed()
    {
        var run = RunOutcome.Fixtures("math.ipynb", "parameters.ipynb");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        var page = run.Html("math");
        Assert.Contains("<span class=\"math\">\\(\\mathcal N(0, 5^2 I)\\)</span>", page);
        Assert.Contains("<p><span class=\"math\">\\(\\sum_{i=1}^n x_i^2\\)</span></p>", page);  // alone in its paragraph: shown as a display
        Assert.Contains("katex.render(", page);
        Assert.Contains("data:font/woff2;base64,", page);
        Assert.DoesNotContain("src=\"http", page);
        Assert.DoesNotContain("katex", run.Html("parameters"));
    }

    [Fact]
    public void Each_notebook_reports_its_peak_resident_memory()
    {
        var run = RunOutcome.Fixtures("memory.ipynb");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        var peak = run.Summary["notebooks"]![0]!["peak_rss_bytes"];
        if (!OperatingSystem.IsLinux()) { Assert.Null(peak); return; }
        Assert.True(peak!.GetValue<long>() >= 300_000_000, $"peak {peak} after touching 300 MB");
        Assert.Equal(peak.GetValue<long>(), run.Notebook("memory")["metadata"]!["vaelab"]!["peak_rss_bytes"]!.GetValue<long>());
        Assert.Matches(@"cell 1/1 \(code 1/1\)  memory \d+\.\d\d GB, peak \d+\.\d\d GB", run.Console);
        Assert.Matches(@"ok in [\d.]+ s, peak memory \d+\.\d\d GB", run.Console);
        Assert.Contains("<th>peak memory</th>", run.Html("memory"));
    }

    [Fact]
    public void Parameters_are_injected_after_the_parameters_cell_with_the_declared_types()
    {
        var run = RunOutcome.Run([Repo.Fixture("parameters.ipynb")], ["epochs=3", "lr=1e-2", "name=hello"], profile: "smoke");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        Nbformat.AssertValid(Path.Combine(run.OutDir, "parameters.ipynb"));
        var nb = run.Notebook("parameters");
        var injected = nb["cells"]![2]!;
        Assert.Equal("injected-parameters", injected["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal("// Parameters injected by vaelab\nvar profile = \"smoke\";\nint? epochs = 3;\ndouble lr = 0.01;\nvar name = \"hello\";", Json.Text(injected["source"]));
        Assert.Equal("smoke|3|0.01|False|hello|10|Int32\n", Json.Text(Json.Outputs(nb, 3).Single()!["text"]));
        var recorded = nb["metadata"]!["vaelab"]!["parameters"]!;
        Assert.Equal(3, recorded["epochs"]!.GetValue<int>());
        Assert.Equal("smoke", recorded["profile"]!.GetValue<string>());
        Assert.Equal(0.01, run.Summary["notebooks"]![0]!["parameters"]!["lr"]!.GetValue<double>());
    }

    [Fact]
    public void Running_an_executed_notebook_again_replaces_its_injected_cell()
    {
        var first = RunOutcome.Run([Repo.Fixture("parameters.ipynb")], ["steps=5"]);
        var again = RunOutcome.Run([Path.Combine(first.OutDir, "parameters.ipynb")], ["steps=6"]);
        Assert.Equal(0, again.ExitCode);
        var nb = again.Notebook("parameters");
        Assert.Single(Json.Cells(nb), c => c!["metadata"]!["tags"] is JsonArray t && t.Any(x => x!.GetValue<string>() == "injected-parameters"));
        Assert.EndsWith("|6|Int32\n", Json.Text(Json.Outputs(nb, 3).Single()!["text"]));
    }

    [Fact]
    public void Claims_are_judged_outside_smoke_and_failures_are_reported_with_their_numbers()
    {
        var judged = RunOutcome.Fixtures("claims.ipynb");
        Assert.Equal(0, judged.ExitCode);  // a claim that does not hold is a finding, not a failed run
        var entry = judged.Summary["notebooks"]![0]!;
        Assert.Equal("ok", entry["status"]!.GetValue<string>());
        var claims = entry["claims"]!.AsArray();
        Assert.Equal(["passed", "failed", "mixed"], claims.Select(c => c!["verdict"]!.GetValue<string>()));
        Assert.Equal(Math.E, claims[1]!["measured"]!.GetValue<double>());
        Assert.Equal("< 2", claims[1]!["bound"]!.GetValue<string>());
        Assert.Null(claims[1]!["seeds"]);
        // Over seeds: the median, and each seed with its own verdict.
        Assert.Equal(0.25, claims[2]!["measured"]!.GetValue<double>());
        var seeds = claims[2]!["seeds"]!.AsArray();
        Assert.Equal([0, 1, 2], seeds.Select(x => x!["seed"]!.GetValue<int>()));
        Assert.Equal([0.25, 0.75, 0.125], seeds.Select(x => x!["measured"]!.GetValue<double>()));
        Assert.Equal(["passed", "failed", "passed"], seeds.Select(x => x!["verdict"]!.GetValue<string>()));
        Assert.Contains("claim MIXED in claims: a draw is below 0.5: u: seed 0 0.25 passed, seed 1 0.75 failed, seed 2 0.125 passed (bound < 0.5)", judged.Console);
        Assert.Equal("pi", entry["metrics"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("mnist", entry["datasets"]![0]!["requested"]!.GetValue<string>());
        Assert.Equal("fashion-mnist", entry["datasets"]![0]!["used"]!.GetValue<string>());
        Assert.Contains("MNIST is not available offline", entry["warnings"]![0]!.GetValue<string>());
        Assert.Contains("claim FAILED in claims: e is below 2", judged.Console);
        Assert.Contains("1 of 1 notebook(s) ran without error; 1 of 3 claims held, 1 mixed over seeds. Exit code 0.", judged.Console);
        var index = File.ReadAllText(Path.Combine(judged.OutDir, "index.html"));
        Assert.Contains("did not hold: e is below 2 — e = 2.718, bound &lt; 2", index);
        Assert.Contains("1 of 3 claims held, 1 mixed over seeds", index);
        Assert.Contains("<span class=\"mixed\">mixed</span>", File.ReadAllText(Path.Combine(judged.OutDir, "claims.html")));
        Assert.Equal("1 of 3 claims held, 1 mixed over seeds", judged.Summary["claims"]!.GetValue<string>());

        var strict = RunOutcome.Run([Repo.Fixture("claims.ipynb")], strict: true);
        Assert.Equal(1, strict.ExitCode);
        Assert.True(strict.Summary["strict"]!.GetValue<bool>());

        var smoke = RunOutcome.Run([Repo.Fixture("claims.ipynb")], profile: "smoke");
        Assert.Equal(0, smoke.ExitCode);
        Assert.All(smoke.Summary["notebooks"]![0]!["claims"]!.AsArray(), c => Assert.Equal("not-judged", c!["verdict"]!.GetValue<string>()));
        Assert.False(smoke.Summary["claims_judged"]!.GetValue<bool>());
    }

    [Fact]
    public void A_cell_past_its_timeout_is_interrupted_and_recorded()
    {
        // 20 s: the first cell also restores the packages and loads TorchSharp.
        var run = RunOutcome.Run([Repo.Fixture("timeout.ipynb")], cellTimeout: 20);
        Assert.Equal(1, run.ExitCode);
        var entry = run.Summary["notebooks"]![0]!;
        Assert.Equal("timeout", entry["status"]!.GetValue<string>());
        Assert.True(entry["error"]!["cell"]!.GetValue<int>() == 2, run.Console);
        Assert.Contains("timed out after 20 s", entry["error"]!["message"]!.GetValue<string>());
        Assert.True(entry["duration_s"]!.GetValue<double>() < 40); // the kernel's cancel stopped the loop (Interrupts), within the grace period
        var nb = run.Notebook("timeout");
        Assert.Equal("Timeout", Json.Outputs(nb, 1).Last()!["ename"]!.GetValue<string>());
        Assert.Null(nb["cells"]![2]!["execution_count"]);
        Nbformat.AssertValid(Path.Combine(run.OutDir, "timeout.ipynb"));
    }

    [Theory]
    [InlineData("unsupported-magic.ipynb", 2, "#!no-such-magic")]
    [InlineData("unsupported-kernel.ipynb", 1, "fsharp")]
    [InlineData("unknown-package.ipynb", 1, "VaeLab.NoSuchPackage")]
    [InlineData("missing-dll.ipynb", 1, "DoesNotExist.dll")]
    public void Directives_the_kernel_cannot_honour_fail_the_cell_with_a_message_naming_them(string fixture, int cell, string named)
    {
        var run = RunOutcome.Fixtures(fixture);
        Assert.Equal(1, run.ExitCode);
        var error = run.Summary["notebooks"]![0]!["error"]!;
        Assert.Equal(cell, error["cell"]!.GetValue<int>());
        Assert.Contains(named, error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cell_that_needs_a_newer_FSharp_Core_than_the_kernels_fails_here_as_in_VS_Code()
    {
        // Plotly.NET 6.0.0 needs FSharp.Core 10.1; dotnet-interactive 1.0.712001 holds 10.0 (scripts/kernel-ci.sh shows
        // the same failure in dotnet-repl). The runner must not hide it behind a newer FSharp.Core of its own. Run as
        // its own process: the test host resolves assemblies leniently and would hide it.
        var outDir = Repo.TempDir();
        var runner = Path.Combine(Repo.Root, "src", "VaeLab.Runner", "bin", "Release", "net10.0", "VaeLab.Runner.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { ArgumentList = { runner, "run", Repo.Fixture("fsharp-core.ipynb"), "--out", outDir }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var errors = p.StandardError.ReadToEndAsync();  // both pipes drain, whichever fills first
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 1, output + await errors);
        var summary = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;
        var error = summary["notebooks"]![0]!["error"]!;
        Assert.Equal(2, error["cell"]!.GetValue<int>());
        Assert.Equal("System.IO.FileNotFoundException", error["ename"]!.GetValue<string>());
        Assert.Contains("FSharp.Core, Version=10.1.0.0", error["message"]!.GetValue<string>());
        Assert.Equal(new Version(10, 0, 0, 0), typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly.GetName().Version);
    }

    [Fact]
    public void Training_progress_updates_one_display_in_place_and_prints_lines_beside_the_cell()
    {
        var run = RunOutcome.Fixtures("progress.ipynb");
        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        var outputs = Json.Outputs(run.Notebook("progress"), 1);
        var bar = Assert.Single(outputs);
        Assert.Contains("<progress value=\"20\" max=\"20\">", Json.Text(bar!["data"]!["text/html"]));
        Assert.Contains("toy: 20/20 steps (100 %) done", Json.Text(bar["data"]!["text/plain"]));
        Assert.Contains("| toy: 20/20 steps (100 %) done", run.Console);
    }

    [Fact]
    public void Cells_without_ids_get_them()
    {
        var run = RunOutcome.Fixtures("no-ids.ipynb");
        Assert.Equal(0, run.ExitCode);
        Nbformat.AssertValid(Path.Combine(run.OutDir, "no-ids.ipynb"));
        Assert.Contains("<pre>2</pre>", Json.Text(Json.Outputs(run.Notebook("no-ids"), 1).Single()!["data"]!["text/html"]));
    }
}

public class AbandonTests
{
    [Fact]
    public void A_cell_that_ignores_the_cancel_is_let_go_and_the_next_notebook_still_runs()
    {
        // The kernel ends a cancelled command at once, even when its code (here a 15 s sleep) does not stop; the runner
        // records the timeout and moves on (it would abandon the kernel after 5 s if the kernel did not let go).
        var run = RunOutcome.Run([Repo.Fixture("hang.ipynb"), Repo.Fixture("no-ids.ipynb")], cellTimeout: 4);
        Assert.True(run.ExitCode == 1, run.Console);
        var entries = run.Summary["notebooks"]!.AsArray();
        Assert.Equal("timeout", entries[0]!["status"]!.GetValue<string>());
        Assert.Contains("cell 1 timed out after 4 s", entries[0]!["error"]!["message"]!.GetValue<string>());
        // The timeout plus at most the grace period, not the 15 s the cell would have slept.
        Assert.InRange(entries[0]!["duration_s"]!.GetValue<double>(), 4, 11);
        Assert.True(entries[1]!["status"]!.GetValue<string>() == "ok", run.Console); // the next notebook still runs
        Nbformat.AssertValid(Path.Combine(run.OutDir, "hang.ipynb"));
    }
}
