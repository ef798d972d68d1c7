using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Tests;

/// <summary>The .NET Interactive C# kernel as the runner hosts it (no VaeLab, no packages: the kernel alone).</summary>
public class KernelSessionTests
{
    [Fact]
    public async Task Cells_share_state_and_their_console_output_and_values_come_back()
    {
        using var session = new KernelSession();
        var sink = new RecordingSink();
        Assert.True((await session.ExecuteAsync("var x = 20;\nConsole.WriteLine(\"hello\");", sink)).Succeeded);
        Assert.True((await session.ExecuteAsync("x + 22", sink)).Succeeded);
        Assert.Equal("hello\n", sink.Stdout.Replace("\r\n", "\n"));
        Assert.Contains("<pre>42</pre>", sink.Displays.Last().Data["text/html"]);
        Assert.Equal(42, await session.EvaluateAsync("x + 22"));
    }

    [Fact]
    public async Task A_compilation_error_names_the_diagnostic_and_an_exception_its_type()
    {
        using var session = new KernelSession();
        var compile = await session.ExecuteAsync("var y = nope;", new RecordingSink());
        Assert.Equal("CompilationError", compile.Error!.EName);
        Assert.Contains("CS0103", compile.Error.EValue);
        var thrown = await session.ExecuteAsync("throw new InvalidOperationException(\"bad state\");", new RecordingSink());
        Assert.Equal("System.InvalidOperationException", thrown.Error!.EName);
        Assert.Equal("bad state", thrown.Error.EValue);
        Assert.Null(await session.EvaluateAsync("nope"));
    }

    [Fact]
    public async Task A_failure_inside_a_type_initializer_is_reported_by_its_cause()
    {
        using var session = new KernelSession();
        var code = "class Broken { public static readonly int X = Fail(); static int Fail() => throw new InvalidOperationException(\"the real cause\"); }\n" +
                   "var x = Broken.X;";
        var result = await session.ExecuteAsync(code, new RecordingSink());
        Assert.Equal("System.InvalidOperationException", result.Error!.EName);
        Assert.Equal("the real cause", result.Error.EValue);
        Assert.Contains(result.Error.Traceback!, l => l.Contains("TypeInitializationException"));
    }

    [Fact]
    public async Task A_kernel_context_display_updates_in_place()
    {
        using var session = new KernelSession();
        var sink = new RecordingSink();
        var code = "var ctx = Microsoft.DotNet.Interactive.KernelInvocationContext.Current;\n" +
                   "var shown = Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.Display(ctx, \"first\", \"text/plain\");\n" +
                   "shown.Update(\"second\");";
        Assert.True((await session.ExecuteAsync(code, sink)).Succeeded);
        var display = Assert.Single(sink.Displays);
        Assert.Equal("second", display.Data["text/plain"]);
        Assert.Equal(1, sink.Updates);
    }
}
