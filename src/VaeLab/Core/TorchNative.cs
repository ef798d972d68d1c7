using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace VaeLab;

/// <summary>
/// Loads TorchSharp's native side on Linux x64 from the packages the host referenced, by absolute path, before
/// TorchSharp's own initializer runs:
/// <list type="number">
/// <item>libtorch (<c>libc10</c>, <c>libtorch_cpu</c>, <c>libtorch</c>; with CUDA also <c>libc10_cuda</c>,
/// <c>libtorch_cuda</c>) from the backend package (<c>libtorch-cpu-linux-x64</c> through <c>TorchSharp-cpu</c>, or the
/// <c>libtorch-cuda-*</c> packages). The libraries find each other by name, and the loader searches
/// <c>LD_LIBRARY_PATH</c> before their <c>$ORIGIN</c> run path, so a system libtorch (Debian's python3-torch, a conda
/// environment) would otherwise be taken. Loaded by path in dependency order, each later request by name gets the copy
/// already loaded.</item>
/// <item>the glue <c>libLibTorchSharp.so</c>: where the libstdc++ lacks GLIBCXX_3.4.32 (Debian 12), the copy the
/// VaeLab package carries with that needless requirement marked weak (environment.md); otherwise TorchSharp's own.</item>
/// </list>
/// Where the packages are: a plain program's native search directories (its deps.json), and in a .NET Interactive kernel
/// (VS Code, Jupyter, dotnet-repl, <c>vaelab run</c>) the package folders that <c>#r "nuget:"</c> appends to PATH.
/// A libtorch found by name on the system is never used: when the referenced one cannot be loaded, or another one is
/// already in the process, <see cref="EnsureLoaded"/> throws a <see cref="LibTorchLoadException"/> that names both and
/// the fix. Elsewhere (Windows, macOS) TorchSharp's own loader does the work.
/// </summary>
public static class TorchNative
{
    const string NeededVersion = "GLIBCXX_3.4.32";
    const string Glue = "libLibTorchSharp.so";
    static readonly object Gate = new();
    static string? _status;
    static LibTorchLoadException? _failure;

    /// <summary>libtorch's libraries in load order (each needs only those before it); the CUDA ones exist in CUDA backends only.</summary>
    public static readonly IReadOnlyList<string> BackendLibraries = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];
    static readonly string[] CpuRequired = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    static readonly string[] CudaRequired = ["libc10_cuda.so", "libtorch_cuda.so"];

    /// <summary>What <see cref="EnsureLoaded"/> did, in words (null before it ran).</summary>
    public static string? Status => _status;

    /// <summary>The libtorch package version TorchSharp was built against (e.g. 2.10.0), read without running its initializer.</summary>
    public static string? ExpectedLibTorchVersion()
    {
        var raw = typeof(torch).GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string;
        return raw == null ? null : NormalizeVersion(raw);
    }

    /// <summary>The patched copy carried by the VaeLab package: &lt;package&gt;/native/linux-x64/libLibTorchSharp.so.</summary>
    public static string? CarriedCopy()
    {
        var lib = Path.GetDirectoryName(typeof(TorchNative).Assembly.Location);  // <package>/lib/net8.0
        if (string.IsNullOrEmpty(lib)) return null;
        var path = Path.GetFullPath(Path.Combine(lib, "..", "..", "native", "linux-x64", Glue));
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// Loads libtorch and the glue by path (see the class); idempotent. Returns what it did; throws
    /// <see cref="LibTorchLoadException"/>, the same one on every call, when the referenced libtorch is not what the
    /// process would use.
    /// </summary>
    public static string EnsureLoaded()
    {
        lock (Gate)
        {
            if (_failure != null) throw _failure;
            if (_status != null) return _status;
            try { return _status = Load(); }
            catch (LibTorchLoadException e) { _failure = e; throw; }
        }
    }

    /// <summary><see cref="EnsureLoaded"/> for hosts that report rather than throw (the kernel extension).</summary>
    public static bool TryEnsureLoaded(out string status)
    {
        try { status = EnsureLoaded(); return true; }
        catch (LibTorchLoadException e) { status = e.Message; return false; }
    }

    static string Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "TorchSharp's own loader (not linux-x64)";
        var torchSharp = typeof(torch).Assembly;  // loads TorchSharp.dll only: its initializer has not run
        var torchSharpVersion = torchSharp.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "?";
        var expected = ExpectedLibTorchVersion();
        var maps = MappedFiles();

        var backend = FindBackend(NativeSearchDirectories(), PathDirectories(), expected);
        if (backend == null)
        {
            var present = Foreign(maps, []);
            throw new LibTorchLoadException(
                $"No libtorch package is referenced: TorchSharp {torchSharpVersion} needs libtorch {expected ?? "?"} from the package libtorch-cpu-linux-x64 " +
                $"(or a libtorch-cuda-* package){(present.Count > 0 ? $", and this process has {Describe(present[0])} loaded instead" : "")}. " +
                $"Fix: reference the backend before VaeLab: #r \"nuget: TorchSharp-cpu, {torchSharpVersion}\" in a notebook, or a PackageReference to " +
                $"TorchSharp-cpu (or libtorch-cpu-linux-x64) in a project. VaeLab never uses a libtorch found by name on the system.");
        }
        if (expected != null && backend.Version != null && backend.Version != expected)
            throw new LibTorchLoadException(
                $"The referenced libtorch is {backend.Version} ({backend.Directory}), but TorchSharp {torchSharpVersion} was built for libtorch {expected}. " +
                $"Fix: reference the backend of the same TorchSharp version, #r \"nuget: TorchSharp-cpu, {torchSharpVersion}\", not a libtorch package of " +
                    $"another version.");

        var glue = FindGlue(torchSharpVersion, out var glueNote);
        var wanted = backend.Libraries.Concat(glue != null ? [glue] : Array.Empty<string>()).ToList();
        var foreign = Foreign(maps, wanted);
        if (foreign.Count > 0) throw Mismatch(foreign[0], backend, expected);

        foreach (var path in wanted)
        {
            try { NativeLibrary.Load(path); }
            catch (DllNotFoundException e)
            {
                // The usual cause: a library of the same name was already in the process (LD_PRELOAD) and took its place.
                var now = Foreign(MappedFiles(), wanted);
                if (now.Count > 0) throw Mismatch(now[0], backend, expected);
                throw new LibTorchLoadException($"Could not load {path} ({e.Message}). Fix: restore the package again (delete its folder in the NuGet " +
                    $"packages folder and re-run the setup cell).");
            }
        }
        var after = Foreign(MappedFiles(), wanted);
        if (after.Count > 0) throw Mismatch(after[0], backend, expected);
        return $"libtorch {backend.Version ?? expected ?? ""} ({backend.Kind}) loaded by path from {backend.Directory}; glue: {glueNote}";
    }

    /// <summary>The glue to load: the carried copy where the libstdc++ lacks GLIBCXX_3.4.32, else TorchSharp's own (null: leave it to TorchSharp).</summary>
    static string? FindGlue(string torchSharpVersion, out string note)
    {
        var carried = CarriedCopy();
        if (carried != null && !SystemLibstdcxxHas(NeededVersion))
        {
            var carriedVersion = typeof(TorchNative).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "TorchSharpVersion")?.Value;
            if (carriedVersion != null && !carriedVersion.StartsWith(torchSharpVersion, StringComparison.Ordinal))
                throw new LibTorchLoadException(
                    $"TorchSharp {torchSharpVersion} is loaded, but this VaeLab carries the native glue for TorchSharp {carriedVersion} (needed here: the " +
                        $"system libstdc++ lacks {NeededVersion}). " +
                    $"Fix: reference TorchSharp-cpu {carriedVersion}: #r \"nuget: TorchSharp-cpu, {carriedVersion}\".");
            note = $"{carried} ({NeededVersion} marked weak: the system libstdc++ lacks it)";
            return carried;
        }
        // As for libtorch, PATH counts only where it names a NuGet package's native folder (the kernel's record).
        var own = NativeSearchDirectories().Concat(PathDirectories().Where(d => PackageOf(d) != null))
            .Select(d => Path.Combine(d, Glue)).FirstOrDefault(File.Exists);
        note = own ?? "TorchSharp's own loader";
        return own;
    }

    /// <summary>A referenced libtorch: its libraries in load order, the folder of libtorch_cpu, the package version where the path tells it.</summary>
    public sealed record Backend(IReadOnlyList<string> Libraries, string Kind, string Directory, string? Version);

    /// <summary>
    /// Picks the referenced backend from a program's native search directories (trusted: its deps.json) and from PATH
    /// entries that are a libtorch NuGet package's native folder (what .NET Interactive's #r "nuget:" appends). A CUDA
    /// backend wins where one is referenced; its libraries may be spread over several part packages. Null if none.
    /// </summary>
    public static Backend? FindBackend(IEnumerable<string> searchDirectories, IEnumerable<string> pathEntries, string? expectedVersion)
    {
        var dirs = searchDirectories.Concat(pathEntries.Where(d => PackageOf(d) is { Id: var id }
            && id.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase)))
            .Where(d => !string.IsNullOrWhiteSpace(d) && System.IO.Directory.Exists(d)).Select(d => Path.GetFullPath(d)).Distinct().ToList();
        // Of several versions, the one TorchSharp expects first (a cache can hold old ones; only referenced ones are listed).
        dirs = dirs.OrderBy(d => PackageOf(d)?.Version is { } v && v != expectedVersion ? 1 : 0).ToList();
        string? Find(string lib, bool cudaFirst) =>
            dirs.OrderBy(d => cudaFirst && !IsCuda(d) ? 1 : 0).Select(d => Path.Combine(d, lib)).FirstOrDefault(File.Exists);

        bool cuda = dirs.Any(d => File.Exists(Path.Combine(d, "libtorch_cuda.so")));
        var required = cuda ? CpuRequired.Concat(CudaRequired).ToArray() : CpuRequired;
        var found = BackendLibraries.Where(required.Contains).Select(lib => Find(lib, cuda)).ToList();
        if (found.Any(f => f == null)) return null;
        var cpuLib = found.First(f => Path.GetFileName(f) == "libtorch_cpu.so")!;
        var directory = Path.GetDirectoryName(cpuLib)!;
        return new Backend(found!, cuda ? "cuda" : "cpu", directory, PackageOf(directory)?.Version);
    }

    static bool IsCuda(string dir) => PackageOf(dir)?.Id.Contains("cuda", StringComparison.OrdinalIgnoreCase) == true
        || File.Exists(Path.Combine(dir, "libtorch_cuda.so"));

    /// <summary>The NuGet package (id, normalized version) whose native folder this is:
    /// &lt;packages&gt;/&lt;id&gt;/&lt;version&gt;/runtimes/&lt;rid&gt;/native.</summary>
    public static (string Id, string Version)? PackageOf(string directory)
    {
        var parts = Path.GetFullPath(directory).TrimEnd('/', '\\').Split('/', '\\');
        int n = parts.Length;
        if (n < 5 || parts[n - 1] != "native" || parts[n - 3] != "runtimes") return null;
        // bin/Release/net10.0/runtimes/… has the same shape: a package folder's version starts with a digit.
        if (parts[n - 4].Length == 0 || !char.IsAsciiDigit(parts[n - 4][0])) return null;
        return (parts[n - 5], NormalizeVersion(parts[n - 4]));
    }

    /// <summary>2.10.0.0 → 2.10.0, as NuGet folders name versions.</summary>
    public static string NormalizeVersion(string version)
    {
        var core = version.Split('-', '+')[0].Split('.');
        var kept = core.Length == 4 && core[3] == "0" ? core[..3] : core;
        return string.Join('.', kept) + (version.Contains('-') ? "-" + version.Split('-', 2)[1] : "");
    }

    /// <summary>
    /// Mapped libtorch libraries (by file name, any version suffix) that are not the ones wanted: the libtorch of another
    /// install that got into the process. Compares real paths, so links to the wanted files are not foreign.
    /// </summary>
    public static IReadOnlyList<string> Foreign(IEnumerable<string> mappedFiles, IEnumerable<string> wanted)
    {
        var ok = wanted.Select(RealPath).ToHashSet(StringComparer.Ordinal);
        return mappedFiles.Where(IsLibTorchFile).Where(f => !ok.Contains(RealPath(f))).Distinct().ToList();
    }

    /// <summary>libc10.so, libtorch_cpu.so.1.13, libtorch.so.2 …: a libtorch library whatever its version suffix.</summary>
    public static bool IsLibTorchFile(string path)
    {
        var name = Path.GetFileName(path);
        var so = name.IndexOf(".so", StringComparison.Ordinal);
        if (so < 0 || (so + 3 < name.Length && name[so + 3] != '.')) return false;
        var stem = name[..so];
        return stem is "libc10" or "libc10_cuda" or "libtorch" or "libtorch_cpu" or "libtorch_cuda" or "libLibTorchSharp";
    }

    static LibTorchLoadException Mismatch(string found, Backend backend, string? expected)
    {
        var dir = Path.GetDirectoryName(found);
        var glue = Path.GetFileName(found).StartsWith("libLibTorchSharp", StringComparison.Ordinal);
        return new LibTorchLoadException(
            $"Wrong libtorch: VaeLab expected libtorch {expected ?? "?"} from {backend.Directory} (the package the notebook referenced), " +
            $"but this process has {Describe(found)} loaded{(glue ? " (another TorchSharp glue)" : "")}. " +
            $"Fix: remove {dir} from LD_LIBRARY_PATH and LD_PRELOAD for this kernel or program; if a cell used TorchSharp before VaeLab's setup " +
                $"cell, restart " +
                $"the kernel and run the setup cell first.");
    }

    static string Describe(string path)
    {
        var name = Path.GetFileName(path);
        var so = name.IndexOf(".so.", StringComparison.Ordinal);
        return so >= 0 ? $"{path} (version {name[(so + 4)..]})" : path;
    }

    /// <summary>A program's native search directories: its deps.json's native asset folders (empty in a kernel's package folders).</summary>
    static IEnumerable<string> NativeSearchDirectories() =>
        (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    static IEnumerable<string> PathDirectories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The files mapped into this process (/proc/self/maps), each once.</summary>
    static IReadOnlyList<string> MappedFiles()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..].Trim() : null)
                .Where(p => p != null && !p.EndsWith("(deleted)", StringComparison.Ordinal)).Select(p => p!).Distinct().ToList();
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    static extern IntPtr RealPathNative(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    static extern void Free(IntPtr p);

    static string RealPath(string path)
    {
        if (!OperatingSystem.IsLinux()) return Path.GetFullPath(path);
        var p = RealPathNative(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return Path.GetFullPath(path);
        try { return Marshal.PtrToStringUTF8(p) ?? path; }
        finally { Free(p); }
    }

    /// <summary>Whether the libstdc++ this process uses defines a symbol version (read from the file's version table).</summary>
    static bool SystemLibstdcxxHas(string version)
    {
        try
        {
            var path = MappedFiles().FirstOrDefault(p => Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal))
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

/// <summary>The libtorch that TorchSharp would use is not the one the host referenced; the message names both and the fix.</summary>
public sealed class LibTorchLoadException(string message) : InvalidOperationException(message);
