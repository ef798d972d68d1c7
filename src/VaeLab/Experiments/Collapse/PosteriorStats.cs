using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// Diagnostics of a Gaussian encoder q(z|x) = N(mean, exp(logVar)) over a batch of inputs (means and log-variances
/// N×D): active units, KL to the prior in nats, and the mutual information I(x; z) under q. All return plain numbers.
/// </summary>
public static class PosteriorStats
{
    /// <summary>Burda et al. (2016)'s activity threshold on Var_x(E_q[z_d]).</summary>
    public const double ActivityThreshold = 0.01;

    /// <summary>Var_x(E_q[z_d]) per dimension: the (population) variance over the batch of each mean column.</summary>
    public static double[] MeanVariance(Tensor mean)
    {
        CheckMatrix(mean, nameof(mean));
        using var _ = torch.NewDisposeScope();
        return mean.detach().to_type(ScalarType.Float64).var(0, unbiased: false).cpu().data<double>().ToArray();
    }

    /// <summary>Active units (Burda et al. 2016): dimensions d with Var_x(E_q[z_d]) &gt; δ (δ = 0.01 by default).</summary>
    public static int ActiveUnits(Tensor mean, double threshold = ActivityThreshold)
        => MeanVariance(mean).Count(v => v > threshold);

    /// <summary>KL(q(z|x) ‖ N(0, I)) in nats: sum over latent dimensions, mean over the batch.</summary>
    public static double Kl(Tensor mean, Tensor logVar)
    {
        CheckPair(mean, logVar);
        using var _ = torch.NewDisposeScope();
        return Gaussian.KlToStandardNormal(mean.detach().to_type(ScalarType.Float64), logVar.detach().to_type(ScalarType.Float64)).mean().item<double>();
    }

    /// <summary>
    /// I(x; z) under q, estimated as in He et al. (2019, "Lagging inference networks", calc_mi):
    /// MI = E_x[E_q(z|x) log q(z|x)] − E_{x, z~q(z|x)}[log q(z)], where the first term is the closed-form negative
    /// entropy −D/2 log 2π − ½ Σ (1 + logVar), and q(z) is the aggregate posterior over the batch,
    /// log q(z) ≈ logsumexp_j log q(z | x_j) − log N, with <paramref name="draws"/> z drawn per x (He et al. draw one;
    /// more draws only lower the Monte-Carlo error of the second term). In nats; at most about log N.
    /// </summary>
    /// <param name="mean">Posterior means, N×D.</param>
    /// <param name="logVar">Posterior log-variances, N×D.</param>
    /// <param name="noise">Optional N×D standard-normal draws for z = mean + σ·noise (for reproducible tests);
    /// drawn from torch's global generator when null. With noise given, <paramref name="draws"/> must be 1.</param>
    /// <param name="draws">z draws per example, averaged.</param>
    public static double MutualInformation(Tensor mean, Tensor logVar, Tensor? noise = null, int draws = 1)
    {
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, "draws must be ≥ 1.");
        if (noise is not null && draws != 1) throw new ArgumentException("Pass either fixed noise (one draw) or draws > 1, not both.", nameof(draws));
        if (draws > 1) return Enumerable.Range(0, draws).Select(_ => MutualInformation(mean, logVar)).Average();
        CheckPair(mean, logVar);
        using var _ = torch.NewDisposeScope();
        var m = mean.detach().to_type(ScalarType.Float64);
        var lv = logVar.detach().to_type(ScalarType.Float64);
        long n = m.shape[0], d = m.shape[1];
        if (n < 2) throw new ArgumentException("The MI estimate needs a batch of at least 2 examples (the aggregate posterior is taken over the batch).",
            nameof(mean));
        var eps = noise is null ? torch.randn_like(m) : noise.to_type(ScalarType.Float64).to(m.device);
        if (!eps.shape.SequenceEqual(m.shape)) throw new ArgumentException($"noise must be N×D like mean [{string.Join(",", m.shape)}]; got " +
            $"[{string.Join(",", eps.shape)}].", nameof(noise));
        double log2Pi = Math.Log(2 * Math.PI);
        var negEntropy = (-0.5 * d * log2Pi - 0.5 * (1 + lv).sum(-1)).mean();
        var z = Gaussian.Reparameterize(m, lv, eps);                 // N×D, one draw per x
        var dev = z.unsqueeze(1) - m.unsqueeze(0);                    // N×N×D: z_i against every q(·|x_j)
        var logDensity = -0.5 * (dev.square() / lv.exp().unsqueeze(0)).sum(-1) - 0.5 * (d * log2Pi + lv.sum(-1).unsqueeze(0));
        var logQz = logDensity.logsumexp(1) - Math.Log(n);            // N
        return (negEntropy - logQz.mean()).item<double>();
    }

    /// <summary>Average posterior standard deviation exp(½ logVar): mean over the batch and the latent dimensions.</summary>
    public static double MeanStandardDeviation(Tensor logVar)
    {
        CheckMatrix(logVar, nameof(logVar));
        using var _ = torch.NewDisposeScope();
        return (0.5 * logVar.detach().to_type(ScalarType.Float64)).exp().mean().item<double>();
    }

    /// <summary>Min and max over the batch of each dimension's mean and standard deviation (the document's
    /// "training values" bands).</summary>
    public static LatentBands Bands(Tensor mean, Tensor logVar)
    {
        CheckPair(mean, logVar);
        using var _ = torch.NewDisposeScope();
        var m = mean.detach().to_type(ScalarType.Float64).cpu();
        var s = (0.5 * logVar.detach().to_type(ScalarType.Float64)).exp().cpu();
        static double[] A(Tensor t) => t.data<double>().ToArray();
        return new LatentBands(A(m.amin(0)), A(m.amax(0)), A(s.amin(0)), A(s.amax(0)));
    }

    static void CheckMatrix(Tensor t, string name)
    {
        if (t.dim() != 2) throw new ArgumentException($"{name} must be N×D (one row per example); got shape [{string.Join(",", t.shape)}].", name);
    }

    static void CheckPair(Tensor mean, Tensor logVar)
    {
        CheckMatrix(mean, nameof(mean));
        if (!mean.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException($"mean [{string.Join(",", mean.shape)}] and logVar [{string.Join(",", logVar.shape)}] must have the same " +
                $"N×D shape.", nameof(logVar));
    }
}

/// <summary>Per latent dimension: min and max over a batch of the posterior means and standard deviations.</summary>
public sealed record LatentBands(double[] MeanMin, double[] MeanMax, double[] StdMin, double[] StdMax);
