using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>Evaluation without side effects: eval mode and no gradients, each module's mode restored afterwards.</summary>
public static class Inference
{
    /// <summary>Rows per forward pass when evaluating many inputs, to bound memory.</summary>
    public const int DefaultBatch = 1000;

    /// <summary>
    /// Puts <paramref name="modules"/> in eval mode and turns gradients off until the result is disposed, which
    /// restores each module's own mode: <c>using var _ = Inference.Evaluating(model);</c>.
    /// </summary>
    public static IDisposable Evaluating(params nn.Module[] modules) => new EvalScope(modules);

    /// <summary>
    /// Applies <paramref name="f"/> to row batches of <paramref name="x"/> (moved to <see cref="Lab.Device"/>) and
    /// concatenates the results on the CPU, with <paramref name="module"/> evaluating (<see cref="Evaluating"/>).
    /// </summary>
    public static Tensor Map(nn.Module module, Func<Tensor, Tensor> f, Tensor x, int batchSize = DefaultBatch) =>
        Rows(x.shape[0], batchSize, (start, length) => f(x.narrow(0, start, length).to(Lab.Device)), module);

    /// <summary>
    /// Runs <paramref name="forward"/> on the row ranges (start, length) of an n-row input, <paramref name="batchSize"/>
    /// rows at a time, with <paramref name="modules"/> evaluating, and returns the rows concatenated on the CPU.
    /// </summary>
    public static Tensor Rows(long n, int batchSize, Func<long, long, Tensor> forward, params nn.Module[] modules)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be ≥ 1.");
        using (Evaluating(modules))
        {
            using var scope = torch.NewDisposeScope();
            var parts = new List<Tensor>();
            for (long s = 0; s < n; s += batchSize)
            {
                // Free each batch's activations before the next; keep only the results.
                using var step = torch.NewDisposeScope();
                parts.Add(forward(s, Math.Min(batchSize, n - s)).cpu().MoveToOuterDisposeScope());
            }
            var all = torch.cat(parts, 0).MoveToOuterDisposeScope();
            if (n > batchSize) NativeMemoryTuning.TrimHeap();
            return all;
        }
    }

    sealed class EvalScope : IDisposable
    {
        readonly nn.Module[] _modules;
        readonly bool[] _wasTraining;
        readonly IDisposable _noGrad;

        public EvalScope(nn.Module[] modules)
        {
            _modules = modules;
            _wasTraining = modules.Select(m => m.training).ToArray();
            foreach (var m in modules) m.eval();
            _noGrad = torch.no_grad();
        }

        public void Dispose()
        {
            _noGrad.Dispose();
            for (int i = 0; i < _modules.Length; i++) _modules[i].train(_wasTraining[i]);
        }
    }
}
