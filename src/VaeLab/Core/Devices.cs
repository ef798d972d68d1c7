using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab;

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
                throw new ArgumentException($"device '{name}' was asked for, but CUDA is not available. Use \"auto\" or \"cpu\", or reference a " +
                    $"TorchSharp-cuda-* package (see environment.md).", nameof(name));
            return torch.device(n);
        }
        throw new ArgumentException($"Unknown device '{name}'. Use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\".", nameof(name));
    }
}
