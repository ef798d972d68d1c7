using System.Globalization;

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
