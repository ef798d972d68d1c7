using System.Diagnostics;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using VaeLab.Reporting;
using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Kernel;

/// <summary>
/// <c>vaelab kernel</c>: the runner's <see cref="ScriptSession"/> behind Jupyter's messaging protocol 5.3 over ZeroMQ.
/// One thread per socket (NetMQ sockets are single-threaded; iopub is shared under a lock): shell runs requests in
/// order on the calling thread, control answers interrupt and shutdown while a cell runs, heartbeat echoes.
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    public const string ImplementationName = "vaelab";

    readonly ConnectionInfo _connection;
    readonly MessageSigner _signer;
    readonly TextWriter _log;
    readonly string _session = Guid.NewGuid().ToString("N");
    readonly string _baseDirectory;
    readonly object _iopubLock = new();
    readonly CancellationTokenSource _stopping = new();
    readonly HashSet<string> _seenSignatures = new();
    readonly Queue<string> _seenOrder = new();
    readonly KernelCompletion _completion = new();
    RouterSocket? _shell, _control, _stdin, _hb;
    PublisherSocket? _iopub;
    ScriptSession _scriptSession;
    int _executionCount;
    volatile TaskCompletionSource? _interrupt;
    string? _plotlyCellKey, _plotlyDisplayId;

    /// <param name="baseDirectory">Where relative #r paths resolve; Jupyter starts kernels in the notebook's folder.</param>
    /// <param name="stopGrace">How long an interrupted cell gets to stop before it is abandoned.</param>
    public JupyterKernel(ConnectionInfo connection, TextWriter log, string? baseDirectory = null, TimeSpan? stopGrace = null)
    {
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        _log = log;
        _baseDirectory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        _scriptSession = new ScriptSession(_baseDirectory);
        StopGrace = stopGrace ?? TimeSpan.FromSeconds(5);
    }

    public TimeSpan StopGrace { get; }

    /// <summary>Binds the sockets and serves until a shutdown_request; returns the exit code.</summary>
    public int Run()
    {
        ConsoleRouter.Install();
        Console.SetIn(new NoConsoleInput());
        RunLog.Begin(judge: true);
        try
        {
            _shell = Bind(new RouterSocket(), _connection.ShellPort);
            _control = Bind(new RouterSocket(), _connection.ControlPort);
            _stdin = Bind(new RouterSocket(), _connection.StdinPort);
            _hb = Bind(new RouterSocket(), _connection.HbPort);
            _iopub = Bind(new PublisherSocket(), _connection.IOPubPort);
        }
        catch (NetMQException e)
        {
            _log.WriteLine($"vaelab kernel: cannot bind {_connection.Ip} ({e.Message}). Another process may hold the ports of the connection file; let Jupyter pick new ones (restart the kernel).");
            return 1;
        }
        _log.WriteLine($"vaelab kernel: listening on {_connection.Transport}://{_connection.Ip} (shell {_connection.ShellPort}, iopub {_connection.IOPubPort}, control {_connection.ControlPort}, hb {_connection.HbPort}){(_signer.Enabled ? "" : "; messages are not signed (empty key)")}");
        var threads = new[]
        {
            new Thread(() => Serve(_control!, "control")) { IsBackground = true, Name = "kernel-control" },
            new Thread(() => Serve(_stdin!, "stdin")) { IsBackground = true, Name = "kernel-stdin" },
            new Thread(Heartbeat) { IsBackground = true, Name = "kernel-hb" },
        };
        foreach (var t in threads) t.Start();
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        Serve(_shell!, "shell");
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
        CloseSockets();
        _log.WriteLine("vaelab kernel: shut down.");
        return 0;
    }

    /// <summary>Asks the kernel to stop (as a shutdown_request does).</summary>
    public void Stop()
    {
        RequestInterrupt("the kernel is shutting down");
        _stopping.Cancel();
    }

    T Bind<T>(T socket, int port) where T : NetMQSocket
    {
        socket.Options.Linger = TimeSpan.FromMilliseconds(200);
        socket.Bind(_connection.Address(port));
        return socket;
    }

    void Heartbeat()
    {
        var frames = new NetMQMessage();
        while (!_stopping.IsCancellationRequested)
        {
            frames.Clear();
            if (_hb!.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref frames))
                _hb.SendMultipartMessage(frames);
        }
    }

    void Serve(RouterSocket socket, string channel)
    {
        var frames = new NetMQMessage();
        while (!_stopping.IsCancellationRequested)
        {
            frames.Clear();
            if (!socket.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref frames)) continue;
            JupyterMessage request;
            try
            {
                request = JupyterMessage.FromFrames(frames, _signer);
                if (_signer.Enabled && !FirstTimeSeen(frames))
                {
                    _log.WriteLine($"vaelab kernel: {channel}: ignored a replayed message (same signature as an earlier one).");
                    continue;
                }
            }
            catch (SignatureException e)
            {
                _log.WriteLine($"vaelab kernel: {channel}: rejected a message: {e.Message}. The client must sign with the key of the connection file.");
                continue;
            }
            catch (MalformedMessageException e)
            {
                _log.WriteLine($"vaelab kernel: {channel}: malformed message: {e.Message}.");
                if (e.Header?["msg_type"] is JsonValue v && v.TryGetValue<string>(out var type) && type.EndsWith("_request", StringComparison.Ordinal))
                {
                    var parent = new JupyterMessage { Header = e.Header, Identities = e.Identities };
                    Reply(socket, parent, type[..^"_request".Length] + "_reply", ErrorContent("MalformedMessage", e.Message));
                }
                continue;
            }
            try
            {
                if (channel == "stdin")
                    _log.WriteLine($"vaelab kernel: stdin: ignored '{request.MsgType}' (the kernel sends no input_request; console input is not supported).");
                else
                    Handle(socket, channel, request);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bad request or a handler bug must not take the kernel down: log it and answer with an error.
                _log.WriteLine($"vaelab kernel: {channel}: '{request.MsgType}' failed: {(e is MalformedMessageException ? e.Message : e.ToString())}");
                if (request.MsgType.EndsWith("_request", StringComparison.Ordinal))
                    Reply(socket, request, request.MsgType[..^"_request".Length] + "_reply", ErrorContent(e.GetType().Name, e.Message));
            }
        }
    }

    bool FirstTimeSeen(NetMQMessage frames)
    {
        var all = frames.Select(f => f.ConvertToString()).ToList();
        var signature = all[all.IndexOf(JupyterMessage.Delimiter) + 1];
        lock (_seenSignatures)
        {
            if (!_seenSignatures.Add(signature)) return false;
            _seenOrder.Enqueue(signature);
            if (_seenOrder.Count > 4096) _seenSignatures.Remove(_seenOrder.Dequeue());
            return true;
        }
    }

    void Handle(RouterSocket socket, string channel, JupyterMessage request)
    {
        Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
        try
        {
            switch (request.MsgType)
            {
                case "kernel_info_request":
                    Reply(socket, request, "kernel_info_reply", KernelInfo());
                    break;
                case "execute_request" when channel == "shell":
                    Execute(socket, request);
                    break;
                case "is_complete_request":
                    Reply(socket, request, "is_complete_reply", KernelCompletion.IsComplete(Text(request, "code")));
                    break;
                case "complete_request":
                    Reply(socket, request, "complete_reply", _completion.Complete(_scriptSession, Text(request, "code"), Int(request, "cursor_pos")));
                    break;
                case "inspect_request":
                    Reply(socket, request, "inspect_reply", _completion.Inspect(_scriptSession, Text(request, "code"), Int(request, "cursor_pos")));
                    break;
                case "comm_info_request":
                    Reply(socket, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                    break;
                case "history_request":
                    Reply(socket, request, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                    break;
                case "interrupt_request":
                    RequestInterrupt("interrupted by interrupt_request");
                    Reply(socket, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    var restart = request.Content["restart"] is JsonValue r && r.TryGetValue<bool>(out var b) && b;
                    Reply(socket, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                    _log.WriteLine($"vaelab kernel: shutdown_request{(restart ? " (restart)" : "")} on {channel}.");
                    Stop();
                    break;
                case "comm_open" or "comm_msg" or "comm_close":
                    _log.WriteLine($"vaelab kernel: ignored '{request.MsgType}' (no comm targets: the kernel has no widgets).");
                    if (request.MsgType == "comm_open" && request.Content["comm_id"] is JsonNode id)
                        Publish("comm_close", new JsonObject { ["comm_id"] = id.DeepClone(), ["data"] = new JsonObject() }, request);
                    break;
                default:
                    var type = request.MsgType;
                    _log.WriteLine($"vaelab kernel: {channel}: unknown msg_type '{type}'{(type.EndsWith("_request", StringComparison.Ordinal) ? "; answered with an error reply" : "; ignored")}.");
                    if (type.EndsWith("_request", StringComparison.Ordinal))
                        Reply(socket, request, type[..^"_request".Length] + "_reply", ErrorContent("UnknownMessageType", $"vaelab kernel does not handle '{type}' on the {channel} channel."));
                    break;
            }
        }
        finally
        {
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
        }
    }

    static string Text(JupyterMessage m, string field) =>
        m.Content[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new MalformedMessageException($"'{m.MsgType}' has no string \"{field}\" in its content");

    static int Int(JupyterMessage m, string field) =>
        m.Content[field] is JsonValue v && v.TryGetValue<int>(out var i) ? i
            : throw new MalformedMessageException($"'{m.MsgType}' has no integer \"{field}\" in its content");

    static bool Flag(JupyterMessage m, string field, bool fallback) =>
        m.Content[field] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    static JsonObject ErrorContent(string ename, string evalue) => new()
    {
        ["status"] = "error", ["ename"] = ename, ["evalue"] = evalue, ["traceback"] = new JsonArray($"{ename}: {evalue}"),
    };

    static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = ImplementationName,
        ["implementation_version"] = typeof(JupyterKernel).Assembly.GetName().Version?.ToString(3) ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = "14",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"vaelab C# kernel (Roslyn scripting, .NET {Environment.Version}); hosts {HostedPackages.Describe()}.",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    /// <summary>Interrupts the running cell (as an interrupt_request does).</summary>
    public void Interrupt(string reason) => RequestInterrupt(reason);

    void RequestInterrupt(string reason)
    {
        Interrupts.Request(reason);
        _interrupt?.TrySetResult();
    }

    void Execute(RouterSocket socket, JupyterMessage request)
    {
        var code = Text(request, "code");
        bool silent = Flag(request, "silent", false);
        bool storeHistory = Flag(request, "store_history", !silent) && !silent;
        if (storeHistory) _executionCount++;
        int count = _executionCount;
        var cellKey = request.Metadata["cellId"] is JsonValue cid && cid.TryGetValue<string>(out var c) ? c : request.MsgId;
        if (!silent) Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);

        // Claims are judged unless the notebook's 'profile' is "smoke", as under vaelab run --profile smoke.
        RunLog.Current.Judge = !_scriptSession.Variables.Any(v => v.Name == "profile" && v.Value is "smoke") ;
        lock (_iopubLock)
            if (_plotlyCellKey == cellKey) (_plotlyCellKey, _plotlyDisplayId) = (null, null);

        var sink = new IOPubSink(this, request, count, cellKey, silent);
        var (result, abandoned) = RunCell(code, sink, $"cell [{count}]");
        // A cell's later console text (e.g. from a thread it started) still reaches its own output area.
        sink.Flush();
        if (abandoned)
        {
            _log.WriteLine($"vaelab kernel: cell [{count}] ignored the interrupt for {StopGrace.TotalSeconds:0} s; abandoned it and started a fresh session.");
            _scriptSession = new ScriptSession(_baseDirectory);
        }
        if (result.Error is { } error)
        {
            var traceback = new JsonArray(error.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
            if (!silent) Publish("error", new JsonObject { ["ename"] = error.EName, ["evalue"] = error.EValue, ["traceback"] = traceback.DeepClone() }, request);
            Reply(socket, request, "execute_reply", new JsonObject
            {
                ["status"] = "error", ["execution_count"] = count, ["ename"] = error.EName, ["evalue"] = error.EValue, ["traceback"] = traceback,
            });
            if (Flag(request, "stop_on_error", true)) AbortQueued(socket);
            return;
        }
        Reply(socket, request, "execute_reply", new JsonObject
        {
            ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray(),
        });
    }

    /// <summary>Runs a cell; on interrupt it gets <see cref="StopGrace"/> to stop cooperatively, then it is abandoned.</summary>
    (CellResult Result, bool Abandoned) RunCell(string code, ICellOutputSink sink, string cellName)
    {
        Interrupts.Reset();
        var interrupt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _interrupt = interrupt;
        try
        {
            var session = _scriptSession;
            var run = Task.Run(() => session.ExecuteAsync(code, sink, cellName));
            if (Task.WaitAny(run, interrupt.Task) == 0) return (run.Result, false);
            var reason = $"interrupted during {cellName}";
            if (run.Wait(StopGrace))
            {
                var r = run.Result;
                return r.Succeeded ? (r, false) : (CellResult.Fail("Interrupted", reason + " (the kernel keeps its state)", r.Error?.Traceback), false);
            }
            return (CellResult.Fail("Interrupted", $"{reason}; the cell did not stop within {StopGrace.TotalSeconds:0} s of the interrupt and was abandoned. " +
                "The kernel started a fresh session: variables of earlier cells are gone, run them again. (Long loops should call Interrupts.ThrowIfRequested(); TrainLoop does.)"), true);
        }
        finally
        {
            _interrupt = null;
        }
    }

    /// <summary>After an error, execute requests already waiting are answered "aborted" (as ipykernel does with stop_on_error).</summary>
    void AbortQueued(RouterSocket socket)
    {
        var frames = new NetMQMessage();
        while (socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref frames))
        {
            try
            {
                var m = JupyterMessage.FromFrames(frames, _signer);
                if (m.MsgType == "execute_request")
                {
                    Publish("status", new JsonObject { ["execution_state"] = "busy" }, m);
                    Reply(socket, m, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
                    Publish("status", new JsonObject { ["execution_state"] = "idle" }, m);
                }
                else Handle(socket, "shell", m);
            }
            catch (Exception e) when (e is SignatureException or MalformedMessageException)
            {
                _log.WriteLine($"vaelab kernel: shell: dropped a message while aborting queued requests: {e.Message}.");
            }
            frames = new NetMQMessage();
        }
    }

    void Reply(RouterSocket socket, JupyterMessage request, string msgType, JsonObject content)
    {
        var reply = JupyterMessage.Create(msgType, content, request, _session, request.Identities);
        socket.SendMultipartMessage(reply.ToFrames(_signer));
    }

    internal void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var message = JupyterMessage.Create(msgType, content, parent, _session, [System.Text.Encoding.UTF8.GetBytes(msgType)]);
        lock (_iopubLock)
            _iopub?.SendMultipartMessage(message.ToFrames(_signer));
    }

    /// <summary>
    /// Charts expect window.Plotly. The first chart of the session carries plotly.js inline (with AMD's define
    /// hidden, so require.js pages still get window.Plotly); updates of that display and a re-run of its cell carry it again.
    /// </summary>
    internal JsonObject MimeData(DisplayOutput output, string cellKey, bool isResult)
    {
        var data = new JsonObject();
        bool carry = false;
        if (output.Data.NeedsPlotly)
        {
            lock (_iopubLock)
            {
                if (_plotlyCellKey == null) { _plotlyCellKey = cellKey; _plotlyDisplayId = isResult ? null : output.DisplayId; carry = true; }
                else if (!isResult && _plotlyDisplayId == output.DisplayId) carry = true;
            }
        }
        foreach (var (mime, text) in output.Data.Items)
            data[mime] = mime == "text/html" && carry ? PlotlyPrelude.Value + "\n" + text : text;
        return data;
    }

    static readonly Lazy<string> PlotlyPrelude = new(() =>
        "<script type=\"text/javascript\">window.__vaelabDefine=window.define;window.define=undefined;</script>\n" +
        Formatters.PlotlyScriptTag +
        "\n<script type=\"text/javascript\">window.define=window.__vaelabDefine;</script>");

    void CloseSockets()
    {
        lock (_iopubLock)
        {
            foreach (var s in new NetMQSocket?[] { _shell, _control, _stdin, _hb, _iopub }) s?.Dispose();
            (_shell, _control, _stdin, _hb, _iopub) = (null, null, null, null, null);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        CloseSockets();
    }

    /// <summary>Console.ReadLine in a cell fails at once with the reason instead of waiting for input that never comes.</summary>
    sealed class NoConsoleInput : TextReader
    {
        static InvalidOperationException Fail() => new("Console input is not supported by the vaelab kernel (it sends no input_request). Put the value in a variable or the parameters cell.");
        public override int Peek() => throw Fail();
        public override int Read() => throw Fail();
        public override string? ReadLine() => throw Fail();
        public override string ReadToEnd() => throw Fail();
    }
}

/// <summary>Sends one execute_request's outputs to iopub, with the request as parent; console text is batched (≤ 50 ms).</summary>
sealed class IOPubSink(JupyterKernel kernel, JupyterMessage parent, int executionCount, string cellKey, bool silent) : ICellOutputSink
{
    readonly object _gate = new();
    readonly System.Text.StringBuilder _pending = new();
    string? _pendingName;
    Timer? _timer;

    public void Stream(string name, string text)
    {
        if (silent) return;
        lock (_gate)
        {
            if (_pendingName != null && _pendingName != name) FlushLocked();
            _pendingName = name;
            _pending.Append(text);
            if (_pending.Length > 16_384) FlushLocked();
            else _timer ??= new Timer(_ => Flush(), null, 50, Timeout.Infinite);
        }
    }

    public void Flush() { lock (_gate) FlushLocked(); }

    void FlushLocked()
    {
        _timer?.Dispose();
        _timer = null;
        if (_pendingName == null || _pending.Length == 0) return;
        kernel.Publish("stream", new JsonObject { ["name"] = _pendingName, ["text"] = _pending.ToString() }, parent);
        _pending.Clear();
        _pendingName = null;
    }

    public void Display(DisplayOutput output) => Send("display_data", output, false);
    public void UpdateDisplay(DisplayOutput output) => Send("update_display_data", output, false);
    public void Result(DisplayOutput output) => Send("execute_result", output, true);

    void Send(string msgType, DisplayOutput output, bool isResult)
    {
        if (silent) return;
        lock (_gate)
        {
            FlushLocked();
            var content = new JsonObject { ["data"] = kernel.MimeData(output, cellKey, isResult), ["metadata"] = new JsonObject() };
            if (isResult) content["execution_count"] = executionCount;
            else content["transient"] = new JsonObject { ["display_id"] = output.DisplayId };
            kernel.Publish(msgType, content, parent);
        }
    }
}
