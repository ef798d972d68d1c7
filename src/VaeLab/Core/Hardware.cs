using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab;

/// <summary>Facts about the machine.</summary>
public static class Hardware
{
    /// <summary>Physical cores (not hyper-threads) where Linux says so, else the logical count.</summary>
    public static int PhysicalCores()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                var pairs = new HashSet<(string, string)>();
                string phys = "0";
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("physical id")) phys = line.Split(':')[1].Trim();
                    else if (line.StartsWith("core id")) pairs.Add((phys, line.Split(':')[1].Trim()));
                }
                if (pairs.Count > 0) return Math.Min(pairs.Count, Environment.ProcessorCount);
            }
        }
        catch (IOException) { }
        return Environment.ProcessorCount;
    }
}
