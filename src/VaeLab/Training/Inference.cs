using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>Evaluation over many inputs: batched, without gradients, in eval mode (restored afterwards).</summary>
public static class Inference
{
    /// <summary>
    /// Applies <paramref name="f"/> to row batches of <paramref name="x"/> (moved to <see cref="Lab.Device"/>) and
    /// concatenates the results on the CPU. <paramref name="module"/> is put in eval mode meanwhile.
    /// </summary>
    public static Tensor Map(nn.Module module, Func<Tensor, Tensor> f, Tensor x, int batchSize = 1000)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be ≥ 1.");
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var _ = torch.NewDisposeScope();
            using var __ = torch.no_grad();
            var parts = new List<Tensor>();
            for (long i = 0; i < x.shape[0]; i += batchSize)
            {
                // Free each batch's activations before the next; keep only the results.
                using var step = torch.NewDisposeScope();
                parts.Add(f(x[TensorIndex.Slice(i, Math.Min(x.shape[0], i + batchSize))].to(Lab.Device)).cpu().MoveToOuterDisposeScope());
            }
            return torch.cat(parts).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) module.train();
            if (x.shape[0] > batchSize) NativeMemoryTuning.TrimHeap();
        }
    }
}
