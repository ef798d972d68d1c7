using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using VaeLab.Runner.Kernel;

namespace VaeLab.Runner.Tests.Kernel;

/// <summary>One kernel process shared by the protocol tests (each test uses its own variable names).</summary>
public sealed class SharedKernel : IDisposable
{
    internal KernelClient Client { get; } = new(stopGraceSeconds: 2);
    public void Dispose() => Client.Dispose();
}

public class KernelProtocolTests(SharedKernel shared) : IClassFixture<SharedKernel>
{
    KernelClient K => shared.Client;

    static string Str(JsonNode? n) => n?.GetValue<string>() ?? "";

    [Fact]
    public void KernelInfoDescribesCSharp()
    {
        var reply = K.Request(K.Shell, "kernel_info_request", new JsonObject());
        Assert.Equal("kernel_info_reply", reply.MsgType);
        Assert.Equal("5.3", Str(reply.Content["protocol_version"]));
        var lang = reply.Content["language_info"]!;
        Assert.Equal("C#", Str(lang["name"]));
        Assert.Equal(".cs", Str(lang["file_extension"]));
        Assert.Equal("text/x-csharp", Str(lang["mimetype"]));
        Assert.Equal("csharp", Str(lang["pygments_lexer"]));
    }

    [Fact]
    public void ExecuteSendsBusyInputOutputsIdleInOrder()
    {
        var (reply, iopub) = K.Execute("Console.WriteLine(\"hello from a cell\");\n6 * 7");
        Assert.Equal("ok", Str(reply.Content["status"]));
        int count = reply.Content["execution_count"]!.GetValue<int>();
        Assert.Equal(["status", "execute_input", "stream", "execute_result", "status"], iopub.Select(m => m.MsgType));
        Assert.Equal("busy", Str(iopub[0].Content["execution_state"]));
        Assert.Equal(count, iopub[1].Content["execution_count"]!.GetValue<int>());
        Assert.Contains("6 * 7", Str(iopub[1].Content["code"]));
        Assert.Equal("stdout", Str(iopub[2].Content["name"]));
        Assert.Equal("hello from a cell\n", Str(iopub[2].Content["text"]));
        Assert.Equal("42", Str(iopub[3].Content["data"]!["text/plain"]));
        Assert.Equal(count, iopub[3].Content["execution_count"]!.GetValue<int>());
        Assert.Equal("idle", Str(iopub[4].Content["execution_state"]));
        // Each later execution counts up by one.
        var (next, _) = K.Execute("1");
        Assert.Equal(count + 1, next.Content["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public void DisplayThenUpdateSendsUpdateDisplayDataWithTheSameId()
    {
        var (reply, iopub) = K.Execute("var shownHandle = display(\"first\");\nshownHandle.Update(\"second\");");
        Assert.Equal("ok", Str(reply.Content["status"]));
        var shown = Assert.Single(iopub, m => m.MsgType == "display_data");
        var updated = Assert.Single(iopub, m => m.MsgType == "update_display_data");
        var id = Str(shown.Content["transient"]!["display_id"]);
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(id, Str(updated.Content["transient"]!["display_id"]));
        Assert.Equal("first", Str(shown.Content["data"]!["text/plain"]));
        Assert.Equal("second", Str(updated.Content["data"]!["text/plain"]));
        Assert.True(iopub.IndexOf(shown) < iopub.IndexOf(updated));

        // A later cell can update the earlier display.
        var (_, later) = K.Execute("shownHandle.Update(\"third\");");
        Assert.Equal("third", Str(Assert.Single(later, m => m.MsgType == "update_display_data").Content["data"]!["text/plain"]));
    }

    [Fact]
    public void ExceptionBecomesErrorAndTheKernelGoesOn()
    {
        var (reply, iopub) = K.Execute("var beforeError = 3;\nthrow new InvalidOperationException(\"boom in a cell\");");
        Assert.Equal("error", Str(reply.Content["status"]));
        var error = Assert.Single(iopub, m => m.MsgType == "error");
        Assert.Equal("System.InvalidOperationException", Str(error.Content["ename"]));
        Assert.Equal("boom in a cell", Str(error.Content["evalue"]));
        Assert.NotEmpty(error.Content["traceback"]!.AsArray());
        Assert.Equal("idle", Str(iopub[^1].Content["execution_state"]));

        var (compile, compileIopub) = K.Execute("int x = \"not a number\";");
        Assert.Equal("CompilationError", Str(compile.Content["ename"]));
        Assert.Contains("CS0029", Str(Assert.Single(compileIopub, m => m.MsgType == "error").Content["evalue"]));

        var (after, afterIopub) = K.Execute("beforeError + 1");
        Assert.Equal("ok", Str(after.Content["status"]));
        Assert.Equal("4", Str(Assert.Single(afterIopub, m => m.MsgType == "execute_result").Content["data"]!["text/plain"]));
    }

    [Fact]
    public void BadSignatureIsRejectedAndLogged()
    {
        K.Send(K.Shell, "kernel_info_request", new JsonObject(), new MessageSigner("not-the-key"));
        Assert.False(K.TryReceive(K.Shell, TimeSpan.FromSeconds(1), out _), "a message with a wrong signature got a reply");
        Assert.Contains("rejected a message", K.Stderr);
        // An unsigned message is rejected too when the connection has a key.
        K.Send(K.Shell, "kernel_info_request", new JsonObject(), new MessageSigner(""));
        Assert.False(K.TryReceive(K.Shell, TimeSpan.FromSeconds(1), out _), "an unsigned message got a reply");
        Assert.Equal("kernel_info_reply", K.Request(K.Shell, "kernel_info_request", new JsonObject()).MsgType);
    }

    [Fact]
    public void MalformedAndUnknownMessagesGetLogLinesAndErrorReplies()
    {
        var bad = new NetMQMessage();
        bad.Append(JupyterMessage.Delimiter);
        var parts = new[] { "{not json", "{}", "{}", "{}" }.Select(Encoding.UTF8.GetBytes).ToArray();
        bad.Append(K.Signer.Sign(parts));
        foreach (var p in parts) bad.Append(p);
        K.Shell.SendMultipartMessage(bad);
        var noDelimiter = new NetMQMessage();
        noDelimiter.Append("just one frame");
        K.Shell.SendMultipartMessage(noDelimiter);

        var unknown = K.Request(K.Shell, "frobnicate_request", new JsonObject());
        Assert.Equal("frobnicate_reply", unknown.MsgType);
        Assert.Equal("error", Str(unknown.Content["status"]));
        Assert.Equal("UnknownMessageType", Str(unknown.Content["ename"]));

        var noCode = K.Request(K.Shell, "execute_request", new JsonObject { ["silent"] = false });
        Assert.Equal("execute_reply", noCode.MsgType);
        Assert.Equal("error", Str(noCode.Content["status"]));
        Assert.Contains("\"code\"", Str(noCode.Content["evalue"]));

        var log = K.Stderr;
        Assert.Contains("malformed message: the header frame is not a JSON object", log);
        Assert.Contains("malformed message: no \"<IDS|MSG>\" delimiter", log);
        Assert.Contains("unknown msg_type 'frobnicate_request'", log);
        Assert.False(K.HasExited);
        Assert.Equal("ok", Str(K.Execute("2 + 2").Reply.Content["status"]));
    }

    [Fact]
    public void InterruptStopsALongLoopWithinASecondAndKeepsState()
    {
        K.Execute("var keptAcrossInterrupt = 5;");
        var clock = new Stopwatch();
        JupyterMessage? interruptReply = null;
        var (reply, iopub) = K.Execute(
            "Console.WriteLine(\"loop started\");\nfor (long step = 0; ; step++) { VaeLab.Interrupts.ThrowIfRequested(); System.Threading.Thread.Sleep(5); }",
            whileRunning: () =>
            {
                Thread.Sleep(1500);
                clock.Start();
                interruptReply = K.Request(K.Control, "interrupt_request", new JsonObject());
            });
        clock.Stop();
        Assert.Equal("interrupt_reply", interruptReply!.MsgType);
        Assert.Equal("error", Str(reply.Content["status"]));
        Assert.Equal("Interrupted", Str(reply.Content["ename"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the cell took {clock.Elapsed.TotalSeconds:0.00} s to stop after interrupt_request");
        Assert.Contains(iopub, m => m.MsgType == "stream" && Str(m.Content["text"]).Contains("loop started"));
        Assert.Single(iopub, m => m.MsgType == "error");

        var (after, afterIopub) = K.Execute("keptAcrossInterrupt * 2");
        Assert.Equal("ok", Str(after.Content["status"]));
        Assert.Equal("10", Str(Assert.Single(afterIopub, m => m.MsgType == "execute_result").Content["data"]!["text/plain"]));
    }

    [Fact]
    public void ACellThatIgnoresTheInterruptIsAbandonedAndTheKernelLives()
    {
        var (reply, _) = K.Execute("var spin = 0L; while (true) { spin++; }", whileRunning: () =>
        {
            Thread.Sleep(1000);
            K.Request(K.Control, "interrupt_request", new JsonObject());
        });
        Assert.Equal("Interrupted", Str(reply.Content["ename"]));
        Assert.Contains("abandoned", Str(reply.Content["evalue"]));
        var (after, afterIopub) = K.Execute("\"still here\"");
        Assert.Equal("ok", Str(after.Content["status"]));
        Assert.Equal("still here", Str(Assert.Single(afterIopub, m => m.MsgType == "execute_result").Content["data"]!["text/plain"]));
    }

    [Fact]
    public void FirstChartCarriesPlotlyJsAndLaterOnesReuseIt()
    {
        var chart = "static Plotly.NET.GenericChart KernelLine(double[] y) { var t = new Plotly.NET.Trace(\"scatter\"); t.SetProperty(\"y\", y); return Plotly.NET.GenericChart.ofTraceObject(true, t); }\n";
        var (first, firstIopub) = K.Execute(chart + "KernelLine(new[] { 0.0, 1, 4 }).Display();\nKernelLine(new[] { 1.0, 0 }).Display();");
        Assert.Equal("ok", Str(first.Content["status"]));
        var charts = firstIopub.Where(m => m.MsgType == "display_data").Select(m => Str(m.Content["data"]!["text/html"])).ToList();
        Assert.Equal(2, charts.Count);
        Assert.Contains("window.__vaelabDefine", charts[0]);
        Assert.Contains(Formatters_PlotlyMarker, charts[0]);
        Assert.DoesNotContain("window.__vaelabDefine", charts[1]);
        Assert.Contains("Plotly.newPlot", charts[1]);
        var (_, laterIopub) = K.Execute("KernelLine(new[] { 2.0, 3 })");
        Assert.DoesNotContain("window.__vaelabDefine", Str(Assert.Single(laterIopub, m => m.MsgType == "execute_result").Content["data"]!["text/html"]));
    }

    // plotly.min.js starts with its license banner naming the version.
    const string Formatters_PlotlyMarker = "plotly.js v";

    [Fact]
    public void CompletionIsCompleteInspectAndCommInfo()
    {
        K.Execute("var someNumber = 41;\nvar someText = \"abc\";");
        var code = "someNu";
        var c = K.Request(K.Shell, "complete_request", new JsonObject { ["code"] = code, ["cursor_pos"] = code.Length });
        Assert.True(Str(c.Content["status"]) == "ok", c.Content.ToJsonString());
        Assert.Contains("someNumber", c.Content["matches"]!.AsArray().Select(Str));
        Assert.Equal(0, c.Content["cursor_start"]!.GetValue<int>());
        Assert.Equal(code.Length, c.Content["cursor_end"]!.GetValue<int>());

        code = "var n = someText.Len";
        c = K.Request(K.Shell, "complete_request", new JsonObject { ["code"] = code, ["cursor_pos"] = code.Length });
        Assert.Contains("Length", c.Content["matches"]!.AsArray().Select(Str));
        Assert.Equal(code.Length - 3, c.Content["cursor_start"]!.GetValue<int>());

        code = "someNumber.";
        c = K.Request(K.Shell, "complete_request", new JsonObject { ["code"] = code, ["cursor_pos"] = code.Length });
        var members = c.Content["matches"]!.AsArray().Select(Str).ToList();
        Assert.Contains("CompareTo", members);
        Assert.Contains("ToString", members);

        Assert.Equal("incomplete", Str(K.Request(K.Shell, "is_complete_request", new JsonObject { ["code"] = "for (int i = 0; i < 3; i++) {" }).Content["status"]));
        Assert.Equal("complete", Str(K.Request(K.Shell, "is_complete_request", new JsonObject { ["code"] = "var z = 1;" }).Content["status"]));

        code = "Math.Sqrt(2)";
        var inspect = K.Request(K.Shell, "inspect_request", new JsonObject { ["code"] = code, ["cursor_pos"] = 6, ["detail_level"] = 0 });
        Assert.True(inspect.Content["found"]!.GetValue<bool>());
        Assert.Contains("Math.Sqrt(double)", Str(inspect.Content["data"]!["text/plain"]));

        var comms = K.Request(K.Shell, "comm_info_request", new JsonObject());
        Assert.Empty(comms.Content["comms"]!.AsObject());
    }
}

public class KernelLifecycleTests
{
    [Fact]
    public void ShutdownRequestEndsTheProcess()
    {
        using var k = new KernelClient();
        var reply = k.Request(k.Control, "shutdown_request", new JsonObject { ["restart"] = false });
        Assert.Equal("shutdown_reply", reply.MsgType);
        Assert.False(reply.Content["restart"]!.GetValue<bool>());
        Assert.True(k.WaitForExit(TimeSpan.FromSeconds(15)), "the kernel did not exit after shutdown_request");
        Assert.Equal(0, k.ExitCode);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("{\"transport\":\"tcp\",\"ip\":\"127.0.0.1\",\"shell_port\":\"x\"}", "\"shell_port\" must be a port number")]
    public void BadConnectionFileIsAClearError(string content, string message)
    {
        var dir = Repo.TempDir();
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "connection.json");
        if (content != "missing") File.WriteAllText(file, content);
        var error = new StringWriter();
        Assert.Equal(Cli.ExitBadInput, KernelCommand.Serve(file, error));
        Assert.Contains(message, error.ToString());
        Assert.Contains(file, error.ToString());
    }

    [Fact]
    public void InstallWritesAKernelspecAndUninstallRemovesIt()
    {
        var prefix = Repo.TempDir();
        var console = new StringWriter();
        var dir = KernelSpec.Install("vaelab-test", user: false, prefix: prefix, displayName: null, force: false, console);
        Assert.Equal(Path.Combine(prefix, "share", "jupyter", "kernels", "vaelab-test"), dir);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
        Assert.Equal("C# (VaeLab)", spec["display_name"]!.GetValue<string>());
        Assert.Equal("C#", spec["language"]!.GetValue<string>());
        var argv = spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(["kernel", "--connection-file", "{connection_file}"], argv[^3..]);
        Assert.Equal(Path.Combine(Repo.Root, "vaelab"), argv[0]);
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(dir)!).Where(d => Path.GetFileName(d).StartsWith('.')));

        // Reinstalling replaces it; another kernel's spec of the same name is not overwritten without --force.
        KernelSpec.Install("vaelab-test", false, prefix, "Other name", false, console);
        Assert.Contains("Other name", File.ReadAllText(Path.Combine(dir, "kernel.json")));
        var foreign = Path.Combine(prefix, "share", "jupyter", "kernels", ".net-csharp");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "kernel.json"), "{\"argv\":[\"dotnet\",\"interactive\"],\"display_name\":\".NET (C#)\",\"language\":\"C#\"}");
        var refused = Assert.Throws<Notebooks.BadInputException>(() => KernelSpec.Install(".net-csharp", false, prefix, null, false, console));
        Assert.Contains("--force", refused.Message);
        Assert.Throws<Notebooks.BadInputException>(() => KernelSpec.Uninstall(".net-csharp", false, prefix, console));
        Assert.True(File.Exists(Path.Combine(foreign, "kernel.json")));

        KernelSpec.Uninstall("vaelab-test", false, prefix, console);
        Assert.False(Directory.Exists(dir));
        Assert.Contains("no kernelspec 'vaelab-test'", Assert.Throws<Notebooks.BadInputException>(() => KernelSpec.Uninstall("vaelab-test", false, prefix, console)).Message);
        Directory.Delete(prefix, true);
    }
}
