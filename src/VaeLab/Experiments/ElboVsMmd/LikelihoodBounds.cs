using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>A mean over examples with its standard error (over examples), e.g. a test bound in nats.</summary>
public sealed record Estimate(double Mean, double StandardError, int Count)
{
    public static Estimate Of(Tensor perExample)
    {
        using var _ = torch.NewDisposeScope();
        var v = perExample.detach().cpu().to_type(ScalarType.Float64);
        int n = (int)v.shape[0];
        double sd = n > 1 ? v.std().item<double>() : double.NaN;
        return new Estimate(v.mean().item<double>(), sd / Math.Sqrt(n), n);
    }

    public override string ToString() => FormattableString.Invariant($"{Mean:0.##} ± {StandardError:0.##} (n = {Count})");
}

/// <summary>
/// Test-set bounds on −log p(x) for a VAE with a diagonal-Gaussian encoder, N(0, I) prior and Bernoulli decoder,
/// given as delegates so any such model can be measured. Evaluated without gradients, in batches.
/// </summary>
public static class LikelihoodBounds
{
    /// <summary>
    /// Negative ELBO per example (closed-form KL, one reconstruction sample per example), in nats: mean and standard
    /// error over the examples of <paramref name="x"/>.
    /// </summary>
    public static Estimate NegativeElbo(Func<Tensor, (Tensor Mean, Tensor LogVar)> encode, Func<Tensor, Tensor> decode,
                                        Tensor x, int batchSize = 500)
        => PerExample(x, batchSize, xb =>
        {
            var (mean, logVar) = encode(xb);
            var z = Gaussian.Reparameterize(mean, logVar);
            return -Elbo.AnalyticKl(decode(z), xb, mean, logVar);
        });

    /// <summary>
    /// Negative importance-weighted bound (IWAE, Burda et al.) with k samples per example, in nats; ≤ the negative ELBO
    /// in expectation. Decodes k·B images at a time, with B = max(1, <paramref name="imagesPerPass"/> / k).
    /// </summary>
    public static Estimate NegativeIwae(Func<Tensor, (Tensor Mean, Tensor LogVar)> encode, Func<Tensor, Tensor> decode,
                                        Tensor x, int k = 100, int imagesPerPass = 500)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be ≥ 1.");
        return PerExample(x, Math.Max(1, imagesPerPass / k), xb =>
        {
            var (mean, logVar) = encode(xb);
            var eps = torch.randn(new long[] { k }.Concat(mean.shape).ToArray(), device: mean.device, dtype: mean.dtype);
            var z = Gaussian.Reparameterize(mean, logVar, eps);  // S×N×D
            var logits = decode(z.reshape(-1, mean.shape[1]));
            return -Elbo.ImportanceWeighted(Elbo.LogWeights(logits, xb, z, mean, logVar));
        });
    }

    /// <summary>Applies <paramref name="perBatch"/> (one value per example) to row batches of <paramref name="x"/>
    /// through <see cref="Inference.Rows"/> (no gradients, each batch's activations freed before the next).</summary>
    static Estimate PerExample(Tensor x, int batchSize, Func<Tensor, Tensor> perBatch)
    {
        using var _ = torch.NewDisposeScope();
        return Estimate.Of(Inference.Rows(x.shape[0], batchSize, (start, length) => perBatch(x.narrow(0, start, length))));
    }
}
