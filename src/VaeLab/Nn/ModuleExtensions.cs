using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Nn;

public static class ModuleExtensions
{
    /// <summary>The number of trainable numbers in <paramref name="module"/> (all its parameters' elements).</summary>
    public static long ParameterCount(this nn.Module module) => module.parameters().Sum(p => p.numel());
}
