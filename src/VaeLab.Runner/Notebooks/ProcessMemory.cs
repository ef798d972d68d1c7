using System.Globalization;
using System.Runtime.InteropServices;

namespace VaeLab.Runner.Notebooks;

/// <summary>
/// This process's resident memory from /proc/self/status (Linux; null elsewhere). The peak (VmHWM) can be reset
/// through /proc/self/clear_refs so that each notebook of a multi-notebook run reports its own peak.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now, in bytes.</summary>
    public static long? Resident => Read("VmRSS:");

    /// <summary>Peak resident set size since start or the last <see cref="ResetPeak"/>, in bytes.</summary>
    public static long? Peak => Read("VmHWM:");

    /// <summary>Starts a new peak from the current resident size; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException) { return false; }
    }

    /// <summary>
    /// Gives memory that nothing uses back to the system: a compacting collection that also decommits what it freed
    /// (the GC otherwise keeps it committed for reuse), then glibc's free pages (malloc_trim; VaeLab turns glibc's own
    /// trimming off, see environment.md). Measured, notebook 02 and then another in one run: the second started from
    /// 0.77 GB resident instead of 1.06–1.21 GB.
    /// </summary>
    public static void ReleaseFree()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();  // tensors' finalizers free their native storage
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux()) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);

    /// <summary>"1.23 GB", or "?" when unknown.</summary>
    public static string Format(long? bytes) => bytes is { } b ? (b / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB" : "?";

    static long? Read(string field)
    {
        try
        {
            if (!File.Exists("/proc/self/status")) return null;
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return 1024 * long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
