using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Tests.Experiments.Aae;

/// <summary>Parameter snapshots to check which networks a phase moved.</summary>
static class AaeSnapshot
{
    public static Tensor[] Of(nn.Module m) => m.parameters().Select(p => p.detach().clone()).ToArray();
    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static bool Equal(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    public static bool Same(nn.Module m, Tensor[] before) => m.parameters().Zip(before).All(p => Equal(p.First.detach(), p.Second));
}
