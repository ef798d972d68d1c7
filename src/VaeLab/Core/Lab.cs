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

    static Device? _device;

    /// <summary>The device every model and batch follows; set by <see cref="Setup"/> (the CPU before it).</summary>
    public static Device Device
    {
        // Not a field initializer: touching torch in Lab's type initializer would load libtorch before TorchNative could.
        get { if (_device == null) TorchNative.EnsureLoaded(); return _device ?? CPU; }
        private set => _device = value;
    }

    /// <summary>The last setup, or null before the first.</summary>
    public static LabInfo? Info => _info;

    /// <summary>
    /// Seeds every RNG, sets the thread count (default: physical cores), tunes glibc malloc (Linux only)
    /// and picks the device. Safe to call again, e.g. when a notebook cell is re-run: it re-seeds.
    /// </summary>
    /// <param name="seed">Seed for torch's global generator (and CUDA's).</param>
    /// <param name="threads">Intra-op threads; null means the physical core count.</param>
    /// <param name="device">"auto", "cpu" or "cuda"; "auto" picks CUDA when available.</param>
    public static LabInfo Setup(int seed = 0, int? threads = null, string device = "auto")
    {
        lock (Gate)
        {
            TorchNative.EnsureLoaded();  // before anything touches torch: libtorch by path from the referenced package
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

    /// <summary>A copy of the state of torch's global CPU generator; <see cref="RestoreRng"/> puts it back.</summary>
    /// <remarks>Not <c>torch.get_rng_state()</c>: that drops its generator handle before libtorch has read it, and a
    /// collection on another thread can free the handle mid-call (environment.md, "TorchSharp and the garbage collector").</remarks>
    public static Tensor SaveRng()
    {
        using var generator = torch.Generator.Default;
        return generator.get_state();
    }

    /// <summary>Puts back a state from <see cref="SaveRng"/> (or a checkpoint) into torch's global CPU generator.</summary>
    public static void RestoreRng(Tensor state)
    {
        using var generator = torch.Generator.Default;
        generator.set_state(state);
    }

    /// <summary>Re-seeds torch's global generator (and CUDA's).</summary>
    public static void Seed(int seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }
}
