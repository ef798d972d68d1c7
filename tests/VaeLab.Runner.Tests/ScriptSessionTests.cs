using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Tests;

public class ScriptSessionTests
{
    static async Task<(CellResult Result, RecordingSink Sink)> Run(ScriptSession s, string code)
    {
        var sink = new RecordingSink();
        var r = await s.ExecuteAsync(code, sink, "cell 1");
        return (r, sink);
    }

    [Fact]
    public async Task Cells_share_one_script_state_with_the_kernels_default_imports()
    {
        using var s = new ScriptSession();
        var (r1, _) = await Run(s, "var xs = new List<int> { 3, 1, 2 };\nvar sb = new StringBuilder(\"a\");");
        Assert.True(r1.Succeeded, r1.Error?.EValue);
        var (r2, sink) = await Run(s, "Console.WriteLine(string.Join(\",\", xs.OrderBy(x => x)) + sb.ToString());\nTask t = Task.CompletedTask;\nIEnumerable e = xs;");
        Assert.True(r2.Succeeded, r2.Error?.EValue);
        Assert.Equal("1,2,3a\n", sink.Stdout);
        Assert.Equal(2, s.ExecutionCount);
    }

    [Fact]
    public async Task A_trailing_expression_without_semicolon_is_displayed_and_nothing_else_is()
    {
        using var s = new ScriptSession();
        Assert.Equal("42", (await Run(s, "var a = 6 * 7;\na")).Sink.Displays.Single().Data["text/plain"]);
        Assert.Empty((await Run(s, "a;")).Sink.Outputs);
        Assert.Empty((await Run(s, "Console.Write(\"\")")).Sink.Displays); // void call: nothing shown
        Assert.Equal("<null>", (await Run(s, "string n = null;\nn")).Sink.Displays.Single().Data["text/plain"]);
    }

    [Fact]
    public async Task Display_handle_updates_its_output_in_place()
    {
        using var s = new ScriptSession();
        var (r, sink) = await Run(s, "var h = display(\"first\");\nh.Update(\"second\");\n\"x\".Display().Update(\"third\");");
        Assert.True(r.Succeeded, r.Error?.EValue);
        Assert.Equal(2, sink.Displays.Count);
        Assert.Equal("second", sink.Displays[0].Data["text/plain"]);
        Assert.Equal("third", sink.Displays[1].Data["text/plain"]);
        Assert.Equal(2, sink.Updates);

        // A handle from an earlier cell still updates the same output object.
        var (r2, sink2) = await Run(s, "h.Update(\"later\");");
        Assert.True(r2.Succeeded);
        Assert.Empty(sink2.Outputs);
        Assert.Equal("later", sink.Displays[0].Data["text/plain"]);
    }

    [Fact]
    public async Task Console_output_is_captured_as_merged_streams()
    {
        using var s = new ScriptSession();
        var (_, sink) = await Run(s, "Console.Write(\"a\");\nConsole.WriteLine(\"b\");\nConsole.Error.WriteLine(\"oops\");\nConsole.WriteLine(\"c\");");
        Assert.Collection(sink.Outputs,
            o => Assert.Equal(("stdout", "ab\n"), (((StreamOutput)o).Name, ((StreamOutput)o).Text.ToString())),
            o => Assert.Equal(("stderr", "oops\n"), (((StreamOutput)o).Name, ((StreamOutput)o).Text.ToString())),
            o => Assert.Equal(("stdout", "c\n"), (((StreamOutput)o).Name, ((StreamOutput)o).Text.ToString())));
    }

    [Fact]
    public async Task Compile_and_runtime_errors_come_back_in_jupyters_shape_and_keep_earlier_state()
    {
        using var s = new ScriptSession();
        await Run(s, "var kept = 5;");
        var (compile, _) = await Run(s, "var y = nope + 1;");
        Assert.Equal("CompilationError", compile.Error!.EName);
        Assert.Contains("CS0103", compile.Error.EValue);
        Assert.Contains("nope", compile.Error.EValue);

        var (runtime, _) = await Run(s, "throw new InvalidOperationException(\"boom\");");
        Assert.Equal("System.InvalidOperationException", runtime.Error!.EName);
        Assert.Equal("boom", runtime.Error.EValue);
        Assert.Contains(runtime.Error.Traceback, l => l.Contains("InvalidOperationException"));

        var (after, sink) = await Run(s, "kept + 1");
        Assert.True(after.Succeeded);
        Assert.Equal("6", sink.Displays.Single().Data["text/plain"]);
    }

    [Fact]
    public async Task Library_progress_goes_to_one_in_place_display_and_to_progress_lines()
    {
        using var s = new ScriptSession();
        var (r, sink) = await Run(s, "var p = new VaeLab.Training.TrainingProgress(\"toy\", 4);\nfor (int i = 1; i <= 4; i++) p.Report(i, new Dictionary<string, double> { [\"loss\"] = 1.0 / i });\np.Complete();");
        Assert.True(r.Succeeded, r.Error?.EValue);
        var display = Assert.Single(sink.Displays);
        Assert.Contains("4/4", display.Data["text/plain"]);
        Assert.Contains("done", display.Data["text/plain"]);
        Assert.Contains("<progress value=\"4\" max=\"4\">", display.Data["text/html"]);
        Assert.Contains(sink.ProgressLines, l => l.Contains("toy: 4/4") && l.Contains("done"));
        // The session restores the host it found once the cell is done.
        Assert.IsNotType<ScriptSession>(VaeLab.Reporting.DisplayHost.Current);
    }
}
