using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using VaeLab.Runner.Kernel;

namespace VaeLab.Runner.Tests.Kernel;

/// <summary>
/// Starts `vaelab kernel` as a process on free loopback ports and talks to it like a Jupyter client: DEALER sockets
/// for shell and control, SUB for iopub, REQ for heartbeat. Every wait is bounded.
/// </summary>
sealed class KernelClient : IDisposable
{
    public const string Key = "a0b1c2d3-test-key";
    readonly Process _process;
    readonly StringBuilder _stderr = new();
    readonly string _dir;
    public DealerSocket Shell { get; }
    public DealerSocket Control { get; }
    public SubscriberSocket IOPub { get; }
    public ConnectionInfo Connection { get; }
    public MessageSigner Signer { get; } = new(Key);
    readonly string _session = Guid.NewGuid().ToString("N");

    public KernelClient(double stopGraceSeconds = 2)
    {
        _dir = Path.Combine(Path.GetTempPath(), "vaelab-kernel-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_dir);
        var ports = FreePorts(5);
        Connection = new ConnectionInfo("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4], Key, "hmac-sha256");
        var file = Path.Combine(_dir, "kernel.json");
        File.WriteAllText(file, new JsonObject
        {
            ["transport"] = "tcp", ["ip"] = "127.0.0.1", ["shell_port"] = ports[0], ["iopub_port"] = ports[1], ["stdin_port"] = ports[2],
            ["control_port"] = ports[3], ["hb_port"] = ports[4], ["key"] = Key, ["signature_scheme"] = "hmac-sha256",
        }.ToJsonString());
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Repo.Fixture("") };
        foreach (var a in new[] { RunnerDll, "kernel", "--connection-file", file }) psi.ArgumentList.Add(a);
        psi.Environment["VAELAB_KERNEL_STOP_GRACE"] = stopGraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        Shell = new DealerSocket(); Shell.Options.Identity = Encoding.ASCII.GetBytes("shell-" + _session[..6]);
        Control = new DealerSocket(); Control.Options.Identity = Encoding.ASCII.GetBytes("control-" + _session[..6]);
        IOPub = new SubscriberSocket();
        Shell.Connect(Connection.Address(Connection.ShellPort));
        Control.Connect(Connection.Address(Connection.ControlPort));
        IOPub.Connect(Connection.Address(Connection.IOPubPort));
        IOPub.SubscribeToAnyTopic();
        WaitReady();
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The runner's dll built beside this test assembly's configuration.</summary>
    public static string RunnerDll
    {
        get
        {
            var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            return Path.Combine(Repo.Root, "src", "VaeLab.Runner", "bin", config, "net10.0", "VaeLab.Runner.dll");
        }
    }

    static int[] FreePorts(int n)
    {
        var listeners = Enumerable.Range(0, n).Select(_ => { var l = new TcpListener(IPAddress.Loopback, 0); l.Start(); return l; }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    /// <summary>kernel_info until the kernel answers and iopub is subscribed (its status messages arrive).</summary>
    void WaitReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"kernel exited with {_process.ExitCode}: {Stderr}");
            var id = Send(Shell, "kernel_info_request", new JsonObject());
            if (TryReceive(Shell, TimeSpan.FromSeconds(5), out var reply) && reply!.ParentHeader["msg_id"]?.GetValue<string>() == id)
            {
                if (TryIOPubFor(id, TimeSpan.FromSeconds(2), m => m.MsgType == "status" && (string?)m.Content["execution_state"] == "idle")) { DrainIOPub(); return; }
            }
        }
        throw new TimeoutException($"kernel did not answer kernel_info within 60 s. stderr: {Stderr}");
    }

    bool TryIOPubFor(string parentId, TimeSpan timeout, Func<JupyterMessage, bool> until)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
            if (TryReceive(IOPub, deadline - DateTime.UtcNow, out var m) && m!.ParentHeader["msg_id"]?.GetValue<string>() == parentId && until(m)) return true;
        return false;
    }

    public void DrainIOPub() { while (TryReceive(IOPub, TimeSpan.FromMilliseconds(100), out _)) { } }

    public JupyterMessage Build(string msgType, JsonObject content) => JupyterMessage.Create(msgType, content, null, _session);

    public string Send(NetMQSocket socket, string msgType, JsonObject content, MessageSigner? signer = null)
    {
        var m = Build(msgType, content);
        socket.SendMultipartMessage(m.ToFrames(signer ?? Signer));
        return m.MsgId;
    }

    public bool TryReceive(NetMQSocket socket, TimeSpan timeout, out JupyterMessage? message)
    {
        message = null;
        var frames = new NetMQMessage();
        if (timeout < TimeSpan.Zero || !socket.TryReceiveMultipartMessage(timeout, ref frames)) return false;
        message = JupyterMessage.FromFrames(frames, Signer);
        return true;
    }

    public JupyterMessage Receive(NetMQSocket socket, TimeSpan timeout) =>
        TryReceive(socket, timeout, out var m) ? m! : throw new TimeoutException($"no message within {timeout.TotalSeconds} s. Kernel stderr: {Stderr}");

    /// <summary>Sends execute_request; returns the reply and every iopub message for it up to status idle.</summary>
    public (JupyterMessage Reply, List<JupyterMessage> IOPub) Execute(string code, double timeoutSeconds = 60, Action? whileRunning = null)
    {
        var id = Send(Shell, "execute_request", new JsonObject { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false, ["stop_on_error"] = true });
        whileRunning?.Invoke();
        return (Receive(Shell, TimeSpan.FromSeconds(timeoutSeconds)), CollectIOPub(id, timeoutSeconds));
    }

    public List<JupyterMessage> CollectIOPub(string parentId, double timeoutSeconds = 30)
    {
        var list = new List<JupyterMessage>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (!TryReceive(IOPub, deadline - DateTime.UtcNow, out var m)) break;
            if (m!.ParentHeader["msg_id"]?.GetValue<string>() != parentId) continue;
            list.Add(m);
            if (m.MsgType == "status" && (string?)m.Content["execution_state"] == "idle") return list;
        }
        throw new TimeoutException($"no status idle for {parentId} within {timeoutSeconds} s; got {string.Join(", ", list.Select(x => x.MsgType))}. stderr: {Stderr}");
    }

    public JupyterMessage Request(NetMQSocket socket, string msgType, JsonObject content, double timeoutSeconds = 30)
    {
        var id = Send(socket, msgType, content);
        var reply = Receive(socket, TimeSpan.FromSeconds(timeoutSeconds));
        Assert.Equal(id, reply.ParentHeader["msg_id"]?.GetValue<string>());
        return reply;
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        Shell.Dispose(); Control.Dispose(); IOPub.Dispose();
        if (!_process.HasExited) { try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        _process.WaitForExit(5000);
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
