using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace VaeLab;

/// <summary>
/// Makes TorchSharp's native glue load inside a .NET Interactive kernel on Linux distributions whose libstdc++ lacks
/// GLIBCXX_3.4.32 (Debian 12). There TorchSharp would load <c>libLibTorchSharp.so</c> from the NuGet cache, which the
/// loader refuses (see environment.md). The VaeLab package carries a copy whose one needless version requirement is
/// marked weak; loaded before TorchSharp's type initializer runs, it is the one TorchSharp then finds by name.
/// Runs from the kernel extension and from <see cref="Lab.Setup"/>; elsewhere (a build output, Windows, macOS, a
/// newer libstdc++) it does nothing.
/// </summary>
public static class TorchNative
{
    const string NeededVersion = "GLIBCXX_3.4.32";
    static readonly object Gate = new();
    static string? _status;

    /// <summary>What <see cref="EnsureLoaded"/> did, in words (null before it ran).</summary>
    public static string? Status => _status;

    /// <summary>The patched copy carried by the VaeLab package: &lt;package&gt;/native/linux-x64/libLibTorchSharp.so.</summary>
    public static string? CarriedCopy()
    {
        var lib = Path.GetDirectoryName(typeof(TorchNative).Assembly.Location);  // <package>/lib/net8.0
        if (string.IsNullOrEmpty(lib)) return null;
        var path = Path.GetFullPath(Path.Combine(lib, "..", "..", "native", "linux-x64", "libLibTorchSharp.so"));
        return File.Exists(path) ? path : null;
    }

    /// <summary>Loads the carried copy when it is needed; idempotent. Returns what it did.</summary>
    public static string EnsureLoaded()
    {
        lock (Gate)
        {
            if (_status != null) return _status;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return _status = "not needed (not linux-x64)";
            var carried = CarriedCopy();
            if (carried == null) return _status = "not needed (no carried copy: VaeLab is not loaded from its package)";
            if (SystemLibstdcxxHas(NeededVersion)) return _status = $"not needed (the system libstdc++ has {NeededVersion})";

            // Loads TorchSharp.dll only; its type initializer (which loads the natives) has not run yet.
            var torchSharp = typeof(torch).Assembly;
            var carriedVersion = typeof(TorchNative).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "TorchSharpVersion")?.Value;
            var loadedVersion = torchSharp.GetName().Version;
            if (carriedVersion != null && loadedVersion != null && !carriedVersion.StartsWith($"{loadedVersion.Major}.{loadedVersion.Minor}.{loadedVersion.Build}", StringComparison.Ordinal))
                return _status = $"skipped: TorchSharp {loadedVersion} is loaded but the carried copy is for {carriedVersion}; reference TorchSharp-cpu {carriedVersion}";

            // libLibTorchSharp.so needs libtorch.so, libtorch_cpu.so and libc10.so by name: load the backend the notebook
            // referenced (TorchSharp-cpu or -cuda-*) the way TorchSharp itself would, then the carried copy. Without a
            // backend TorchSharp's own loader reports what to reference.
            if (!NativeLibrary.TryLoad("torch", torchSharp, null, out _))
                return _status = $"skipped: libtorch is not referenced (add #r \"nuget: TorchSharp-cpu, {carriedVersion ?? "0.107.0"}\" before VaeLab)";
            NativeLibrary.Load(carried);
            return _status = $"loaded {carried} ({NeededVersion} marked weak: the system libstdc++ lacks it)";
        }
    }

    /// <summary>Whether the libstdc++ this process uses defines a symbol version (read from the file's version table).</summary>
    static bool SystemLibstdcxxHas(string version)
    {
        try
        {
            var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                .FirstOrDefault(p => p != null && Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal))
                ?? new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }.FirstOrDefault(File.Exists);
            if (path == null) return false;
            var bytes = File.ReadAllBytes(path);
            var needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
            return bytes.AsSpan().IndexOf(needle) >= 0;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
