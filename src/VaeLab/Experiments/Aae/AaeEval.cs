using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;

namespace VaeLab.Experiments.Aae;

/// <summary>Evaluation helpers shared by the AAE trainers.</summary>
internal static class AaeEval
{
    /// <summary>Rows per forward pass when evaluating, to bound memory.</summary>
    public const int Chunk = 1000;

    /// <summary>
    /// Runs <paramref name="forward"/> on row ranges (start, length) of an n-row input with <paramref name="modules"/>
    /// in eval mode and without gradients, restores their modes, and returns the rows concatenated on the CPU.
    /// </summary>
    public static Tensor Rows(long n, Func<long, long, Tensor> forward, params nn.Module[] modules)
    {
        var wasTraining = modules.Select(m => m.training).ToArray();
        foreach (var m in modules) m.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var parts = new List<Tensor>();
            for (long s = 0; s < n; s += Chunk)
            {
                // Free each chunk's activations before the next; keep only the results.
                using var step = torch.NewDisposeScope();
                parts.Add(forward(s, Math.Min(Chunk, n - s)).cpu().MoveToOuterDisposeScope());
            }
            return torch.cat(parts, 0).MoveToOuterDisposeScope();
        }
        finally
        {
            for (int i = 0; i < modules.Length; i++) modules[i].train(wasTraining[i]);
        }
    }

    /// <summary>Checks a flat image batch: N×inputDim floats in [0, 1].</summary>
    public static void CheckImages(Tensor x, int inputDim, string name)
    {
        if (x.dim() != 2 || x.shape[1] != inputDim)
            throw new ArgumentException($"{name}: expected flat images N×{inputDim}, got [{string.Join(",", x.shape)}]. Use ImageDataset.Flat.", name);
        if (!x.is_floating_point())
            throw new ArgumentException($"{name}: expected float pixels in [0, 1], got {x.dtype}.", name);
    }
}
