using System.Text.Json;
using System.Text.Json.Nodes;
using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Kernel;

/// <summary>
/// <c>vaelab kernel install/uninstall</c>: a kernelspec folder (kernel.json) where Jupyter looks, following
/// jupyter_core: --user → $JUPYTER_DATA_DIR or $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter; --prefix P →
/// P/share/jupyter; otherwise the system folder /usr/local/share/jupyter. Each with kernels/NAME.
/// </summary>
public static class KernelSpec
{
    public const string DefaultName = "vaelab-csharp";
    public const string DisplayName = "C# (VaeLab)";

    public static string UserDataDir()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } d) return Path.GetFullPath(d);
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } x) return Path.Combine(Path.GetFullPath(x), "jupyter");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter");
    }

    static readonly string[] SystemDirs = ["/usr/local/share/jupyter", "/usr/share/jupyter"];

    public static string KernelsDir(bool user, string? prefix) =>
        Path.Combine(user ? UserDataDir() : prefix != null ? Path.Combine(Path.GetFullPath(prefix), "share", "jupyter") : SystemDirs[0], "kernels");

    static void CheckName(string name)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            throw new BadInputException($"--name '{name}': a kernelspec name may contain only ASCII letters, digits, '.', '-' and '_'.");
    }

    /// <summary>The command Jupyter starts: the repository's ./vaelab script when there is one (it rebuilds when sources changed), else this dll.</summary>
    public static JsonArray Argv()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "vaelab")) && File.Exists(Path.Combine(dir.FullName, "VaeLab.sln")))
                return new JsonArray(Path.Combine(dir.FullName, "vaelab"), "kernel", "--connection-file", "{connection_file}");
        var dll = typeof(KernelSpec).Assembly.Location;
        return new JsonArray(Environment.ProcessPath ?? "dotnet", dll, "kernel", "--connection-file", "{connection_file}");
    }

    public static JsonObject Json(string displayName) => new()
    {
        ["argv"] = Argv(),
        ["display_name"] = displayName,
        ["language"] = "C#",
        // Interrupts come as interrupt_request on the control channel (the kernel also takes SIGINT).
        ["interrupt_mode"] = "message",
        ["metadata"] = new JsonObject { ["vaelab"] = new JsonObject { ["kernel"] = "vaelab kernel" } },
    };

    /// <summary>Writes kernels/NAME/kernel.json (temp folder, then renamed); refuses to replace another kernel's spec unless forced.</summary>
    public static string Install(string name, bool user, string? prefix, string? displayName, bool force, TextWriter console)
    {
        CheckName(name);
        var kernels = KernelsDir(user, prefix);
        var target = Path.Combine(kernels, name);
        if (Directory.Exists(target) && !IsOurs(target) && !force)
            throw new BadInputException($"{target} holds another kernel's spec ({Describe(target)}). Pass --force to replace it, or choose another --name.");
        try
        {
            Directory.CreateDirectory(kernels);
            var temp = Path.Combine(kernels, $".{name}.tmp-{Environment.ProcessId}");
            if (Directory.Exists(temp)) Directory.Delete(temp, true);
            Directory.CreateDirectory(temp);
            File.WriteAllText(Path.Combine(temp, "kernel.json"), Json(displayName ?? DisplayName).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            if (Directory.Exists(target))
            {
                var old = target + $".old-{Environment.ProcessId}";
                Directory.Move(target, old);
                Directory.Move(temp, target);
                Directory.Delete(old, true);
            }
            else Directory.Move(temp, target);
        }
        catch (UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot write to {kernels} (permission denied). Use --user to install for yourself, or --prefix DIR.");
        }
        console.WriteLine($"Installed kernelspec '{name}' ({displayName ?? DisplayName}) in {target}");
        return target;
    }

    /// <summary>Removes kernels/NAME where it was installed (the given location, or the user then the system folders).</summary>
    public static string Uninstall(string name, bool user, string? prefix, TextWriter console)
    {
        CheckName(name);
        var candidates = user || prefix != null
            ? [Path.Combine(KernelsDir(user, prefix), name)]
            : new[] { UserDataDir() }.Concat(SystemDirs).Select(d => Path.Combine(d, "kernels", name)).ToArray();
        var found = candidates.FirstOrDefault(Directory.Exists)
            ?? throw new BadInputException($"no kernelspec '{name}' in {string.Join(", ", candidates)}.");
        if (!IsOurs(found))
            throw new BadInputException($"{found} is not a vaelab kernelspec ({Describe(found)}); remove it with 'jupyter kernelspec uninstall {name}' if you mean it.");
        try { Directory.Delete(found, true); }
        catch (UnauthorizedAccessException) { throw new BadInputException($"cannot remove {found} (permission denied)."); }
        console.WriteLine($"Removed kernelspec '{name}' from {found}");
        return found;
    }

    static JsonObject? Read(string dir)
    {
        try { return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json"))) as JsonObject; }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    static bool IsOurs(string dir) => Read(dir)?["metadata"]?["vaelab"] != null;

    static string Describe(string dir) => Read(dir) is { } j ? $"display name \"{j["display_name"]}\", argv {j["argv"]?.ToJsonString()}" : "no readable kernel.json";
}
