using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetMQ;
using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Kernel;

/// <summary>A connection file as Jupyter writes it: transport, ip, the five ports, the signing key and scheme.</summary>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IOPubPort, int StdinPort, int ControlPort, int HbPort, string Key, string SignatureScheme)
{
    public string Address(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";

    /// <summary>Reads and checks a connection file; every problem is a <see cref="BadInputException"/> naming the file and the field.</summary>
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"connection file '{path}' does not exist. Jupyter passes it as {{connection_file}}; start the kernel from a Jupyter client or give an existing file.");
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new BadInputException($"connection file '{path}' is not valid JSON ({e.Message})."); }
        string Text(string name, string? fallback = null)
        {
            var node = json[name];
            if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
            return fallback ?? throw new BadInputException($"connection file '{path}': \"{name}\" is missing or not a string.");
        }
        int Port(string name)
        {
            if (json[name] is JsonValue v && v.TryGetValue<int>(out var p) && p is > 0 and < 65536) return p;
            throw new BadInputException($"connection file '{path}': \"{name}\" must be a port number (1-65535).");
        }
        var transport = Text("transport", "tcp");
        if (transport is not ("tcp" or "ipc"))
            throw new BadInputException($"connection file '{path}': transport \"{transport}\" is not supported; use tcp or ipc.");
        var scheme = Text("signature_scheme", "hmac-sha256");
        if (scheme != "hmac-sha256")
            throw new BadInputException($"connection file '{path}': signature_scheme \"{scheme}\" is not supported; use hmac-sha256.");
        return new ConnectionInfo(transport, Text("ip", "127.0.0.1"), Port("shell_port"), Port("iopub_port"), Port("stdin_port"), Port("control_port"), Port("hb_port"), Text("key", ""), scheme);
    }
}

/// <summary>HMAC-SHA256 over header, parent_header, metadata and content; an empty key signs nothing (as Jupyter does).</summary>
public sealed class MessageSigner(string key)
{
    readonly byte[] _key = Encoding.UTF8.GetBytes(key);
    public bool Enabled => _key.Length > 0;

    public string Sign(IReadOnlyList<byte[]> parts)
    {
        if (!Enabled) return "";
        using var hmac = new HMACSHA256(_key);
        foreach (var p in parts) hmac.TransformBlock(p, 0, p.Length, null, 0);
        hmac.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(hmac.Hash!);
    }

    /// <summary>Constant-time comparison of the received signature with the expected one.</summary>
    public bool Verify(string signature, IReadOnlyList<byte[]> parts)
    {
        if (!Enabled) return true;
        var expected = Encoding.ASCII.GetBytes(Sign(parts));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}

/// <summary>Thrown for a message that cannot be read; the kernel logs it and goes on.</summary>
public sealed class MalformedMessageException(string message, JsonObject? header = null, IReadOnlyList<byte[]>? identities = null) : Exception(message)
{
    /// <summary>The header when it could be read (then an error reply is possible).</summary>
    public JsonObject? Header { get; } = header;
    public IReadOnlyList<byte[]> Identities { get; } = identities ?? [];
}

/// <summary>One Jupyter message (messaging protocol 5.3).</summary>
public sealed class JupyterMessage
{
    public const string Delimiter = "<IDS|MSG>";
    public const string ProtocolVersion = "5.3";

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = new();
    public JsonObject Metadata { get; init; } = new();
    public JsonObject Content { get; init; } = new();
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MsgType => (string?)Header["msg_type"] ?? "";
    public string MsgId => (string?)Header["msg_id"] ?? "";

    /// <summary>A new message; its header names this kernel's session.</summary>
    public static JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent, string session, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? [],
        Header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = session,
            ["username"] = "vaelab",
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["msg_type"] = msgType,
            ["version"] = ProtocolVersion,
        },
        ParentHeader = parent?.Header.DeepClone().AsObject() ?? new JsonObject(),
        Content = content,
    };

    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>The frames: identities, delimiter, signature, the four JSON dictionaries, buffers.</summary>
    public NetMQMessage ToFrames(MessageSigner signer)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(o => Encoding.UTF8.GetBytes(o.ToJsonString(Compact))).ToArray();
        var m = new NetMQMessage();
        foreach (var id in Identities) m.Append(id);
        m.Append(Delimiter);
        m.Append(signer.Sign(parts));
        foreach (var p in parts) m.Append(p);
        foreach (var b in Buffers) m.Append(b);
        return m;
    }

    /// <summary>Reads frames; a bad signature is <see cref="SignatureException"/>, anything unreadable <see cref="MalformedMessageException"/>.</summary>
    public static JupyterMessage FromFrames(NetMQMessage frames, MessageSigner signer)
    {
        var all = frames.Select(f => f.ToByteArray()).ToList();
        int d = all.FindIndex(f => f.Length == Delimiter.Length && Encoding.ASCII.GetString(f) == Delimiter);
        if (d < 0) throw new MalformedMessageException($"no \"{Delimiter}\" delimiter among {all.Count} frames");
        var ids = all.Take(d).ToArray();
        if (all.Count < d + 6) throw new MalformedMessageException($"{all.Count - d - 1} frames after the delimiter; a message needs a signature and four JSON frames", identities: ids);
        var parts = all.Skip(d + 2).Take(4).ToArray();
        if (!signer.Verify(Encoding.ASCII.GetString(all[d + 1]), parts)) throw new SignatureException();
        JsonObject Parse(int i, string name)
        {
            try { return JsonNode.Parse(parts[i]) as JsonObject ?? throw new JsonException("not a JSON object"); }
            catch (JsonException e) { throw new MalformedMessageException($"the {name} frame is not a JSON object ({e.Message})", i == 0 ? null : TryHeader(parts[0]), ids); }
        }
        var header = Parse(0, "header");
        if (header["msg_type"] is not JsonValue mt || !mt.TryGetValue<string>(out _))
            throw new MalformedMessageException("the header has no \"msg_type\"", null, ids);
        return new JupyterMessage
        {
            Identities = ids,
            Header = header,
            ParentHeader = Parse(1, "parent_header"),
            Metadata = Parse(2, "metadata"),
            Content = Parse(3, "content"),
            Buffers = all.Skip(d + 6).ToArray(),
        };
    }

    static JsonObject? TryHeader(byte[] bytes)
    {
        try { return JsonNode.Parse(bytes) as JsonObject; } catch (JsonException) { return null; }
    }
}

/// <summary>A message whose HMAC does not match the connection key.</summary>
public sealed class SignatureException() : Exception("the message's HMAC signature does not match the connection key");
