using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab;

/// <summary>What <see cref="Lab.Setup"/> chose; displays as one line in a notebook.</summary>
public sealed record LabInfo(int Seed, int Threads, string Device, string MallocTuning, string TorchSharpVersion)
{
    public override string ToString() =>
        $"VaeLab: seed {Seed}, {Threads} thread(s), device {Device}, malloc {MallocTuning}, TorchSharp {TorchSharpVersion}";
}

/// <summary>The one-call runtime setup used by notebooks, the runner and the tests.</summary>
public static class Lab
{
    static readonly object Gate = new();
    static LabInfo? _info;

    /// <summary>The device every model and batch follows; set by <see cref="Setup"/>.</summary>
    public static Device Device { get; private set; } = CPU;

    /// <summary>The last setup, or null before the first.</summary>
    public static LabInfo? Info => _info;

    /// <summary>
    /// Seeds every RNG, sets the thread count (default: physical cores), tunes glibc malloc (Linux only)
    /// and picks the device. Safe to call again, e.g. when a notebook cell is re-run: it re-seeds.
    /// </summary>
    /// <param name="seed">Seed for torch's global generator and for <see cref="Rng"/>.</param>
    /// <param name="threads">Intra-op threads; null means the physical core count.</param>
    /// <param name="device">"auto", "cpu" or "cuda"; "auto" picks CUDA when available.</param>
    public static LabInfo Setup(int seed = 0, int? threads = null, string device = "auto")
    {
        lock (Gate)
        {
            TorchNative.EnsureLoaded();  // before anything touches torch (a no-op outside the packaged library)
            var malloc = NativeMemoryTuning.Apply();
            int n = threads ?? Hardware.PhysicalCores();
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(threads), n, "threads must be at least 1.");
            torch.set_num_threads(n);
            Device = Devices.Parse(device);
            Seed(seed);
            _info = new LabInfo(seed, n, Device.ToString(), malloc, typeof(torch).Assembly.GetName().Version?.ToString() ?? "?");
            return _info;
        }
    }

    /// <summary>Re-seeds torch's global generator and the shared managed RNG.</summary>
    public static void Seed(int seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
        Rng = new Random(seed);
    }

    /// <summary>Managed RNG for code that is not tensor code (e.g. picking examples), seeded by <see cref="Setup"/>.</summary>
    public static Random Rng { get; private set; } = new(0);
}

/// <summary>Device choice.</summary>
public static class Devices
{
    /// <summary>CUDA when available, else the CPU.</summary>
    public static Device Auto => torch.cuda.is_available() ? CUDA : CPU;

    /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N" with a clear error otherwise.</summary>
    public static Device Parse(string name)
    {
        var n = (name ?? "auto").Trim().ToLowerInvariant();
        if (n == "auto") return Auto;
        if (n == "cpu") return CPU;
        if (n.StartsWith("cuda"))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{name}' was asked for, but CUDA is not available. Use \"auto\" or \"cpu\", or reference a TorchSharp-cuda-* package (see environment.md).", nameof(name));
            return torch.device(n);
        }
        throw new ArgumentException($"Unknown device '{name}'. Use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\".", nameof(name));
    }
}

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

/// <summary>
/// glibc returns large freed buffers to the OS and faults them back in on the next step; raising the mmap and
/// trim thresholds keeps them in the heap. Measured: a conv-VAE epoch went from about 80 s to about 21 s.
/// </summary>
public static class NativeMemoryTuning
{
    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    static extern IntPtr gnu_get_libc_version();

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);

    static string? _applied;

    /// <summary>Applies the tuning once per process; returns what was done, in words.</summary>
    public static string Apply()
    {
        if (_applied != null) return _applied;
        if (Environment.GetEnvironmentVariable("VAELAB_NO_MALLOC_TUNING") == "1") return _applied = "untouched (VAELAB_NO_MALLOC_TUNING=1)";
        if (!OperatingSystem.IsLinux()) return _applied = "untouched (not Linux)";
        try
        {
            var version = Marshal.PtrToStringAnsi(gnu_get_libc_version());
            // 1 GiB mmap threshold: tensors of any size we use stay in the heap; trim only past 4 GiB free.
            // One arena: cells and kernels run on several threads, and with trimming off each thread's arena would
            // keep its own peak for good (measured: 7.5 GB for notebook 02, whose cells run on fresh threads).
            bool ok = mallopt(M_ARENA_MAX, 1) == 1
                    & mallopt(M_MMAP_THRESHOLD, 1 << 30) == 1
                    & mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1
                    & mallopt(M_TOP_PAD, 256 << 20) == 1;
            return _applied = ok ? $"tuned (glibc {version}: one arena, mmap threshold 1 GiB, no trim, top pad 256 MiB)" : $"mallopt refused (glibc {version})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return _applied = "untouched (not glibc)";
        }
    }

    /// <summary>
    /// Gives freed memory back between pieces of work (the runner and the kernel call it before every cell): collects
    /// tensors that are no longer referenced, then asks glibc to return its free pages. With trimming off, what one
    /// cell freed would otherwise stay resident for the rest of the run (measured: notebook 02's metrics cell started
    /// from 1.3 GB resident with 0.7 GB live). Does nothing where the tuning was not applied.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!Tuned) return;
        GC.Collect();
        GC.WaitForPendingFinalizers();  // tensors' finalizers free their native storage
        TrimHeap();
    }

    /// <summary>
    /// Returns glibc's free pages to the OS (malloc_trim), without a garbage collection. Evaluation loops over large
    /// blocks call it when they finish: glibc does not reuse every freed block exactly (measured: twenty 20 MB
    /// distance blocks left about 200 MB resident), and with trimming off that would add up over a cell.
    /// </summary>
    public static void TrimHeap()
    {
        if (!Tuned) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    static bool Tuned => _applied is not null && _applied.StartsWith("tuned", StringComparison.Ordinal);
}

/// <summary>
/// Cooperative interruption of long work (training loops check it every step). The kernel extension requests it when
/// the kernel cancels a cell (the stop button in VS Code, an interrupt in Jupyter, a timeout or Ctrl+C in
/// <c>vaelab run</c>); the cell then fails with <see cref="OperationCanceledException"/>.
/// </summary>
public static class Interrupts
{
    static CancellationTokenSource _cts = new();
    static string _reason = "interrupted";

    public static CancellationToken Token => _cts.Token;
    public static bool IsRequested => _cts.IsCancellationRequested;

    public static void Request(string reason = "interrupted")
    {
        _reason = reason;
        _cts.Cancel();
    }

    /// <summary>Clears a past request; hosts call this before running the next cell.</summary>
    public static void Reset()
    {
        if (_cts.IsCancellationRequested) _cts = new CancellationTokenSource();
    }

    public static void ThrowIfRequested()
    {
        if (_cts.IsCancellationRequested) throw new OperationCanceledException($"Stopped: {_reason}.", _cts.Token);
    }
}
