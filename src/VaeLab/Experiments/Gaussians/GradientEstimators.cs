using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Losses;

namespace VaeLab.Experiments.Gaussians;

/// <summary>The two Monte-Carlo estimators of ∇_φ E_{z~q_φ}[f(z)] that the VAE paper contrasts.</summary>
public enum GradientEstimator
{
    /// <summary>REINFORCE: (1/S) Σ_s f(z_s) ∇_φ log q_φ(z_s), z_s ~ q_φ held fixed (no baseline, as derived in the document).</summary>
    ScoreFunction,
    /// <summary>(1/S) Σ_s ∇_φ f(μ_φ + σ_φ ε_s), ε_s ~ N(0, I): the sample itself is differentiated.</summary>
    Reparameterization,
}

/// <summary>
/// Independent draws of one estimator at fixed parameters: <see cref="Draws"/> is D×P (float64), one flattened
/// gradient (all parameters concatenated) per row, each from <see cref="Samples"/> latent samples per input.
/// </summary>
public sealed record EstimatorDraws(GradientEstimator Estimator, int Samples, Tensor Draws)
{
    public int Count => (int)Draws.shape[0];
    /// <summary>Mean gradient over the draws, P.</summary>
    public Tensor Mean => Draws.mean(new long[] { 0 });
    /// <summary>Unbiased per-coordinate variance over the draws, P.</summary>
    public Tensor Variance => Draws.var(0);
    /// <summary>Standard error of <see cref="Mean"/>, P.</summary>
    public Tensor StandardError => (Variance / Count).sqrt();
    /// <summary>Trace of the estimator's covariance: the per-coordinate variances summed over all parameters.</summary>
    public double TotalVariance => Variance.sum().item<double>();
}

/// <summary>
/// Gradient estimators for an objective J(φ) = mean over the batch of E_{z~N(μ_φ, exp(logVar_φ))}[f(z)], with a
/// diagonal Gaussian whose parameters come from <c>posterior()</c> (shape …×d) and f mapping S×…×d samples to S×…
/// values. Both estimators are unbiased for ∇J; they differ in variance.
/// </summary>
public static class GradientEstimators
{
    /// <summary>One estimate of ∇J with respect to <paramref name="parameters"/>, flattened and concatenated (float64, P).</summary>
    /// <param name="kind">Which estimator.</param>
    /// <param name="posterior">Recomputes (μ, logVar) from the parameters, e.g. () =&gt; vae.Encode(x).</param>
    /// <param name="f">The integrand, e.g. z =&gt; log p(x|z); S×…×d → S×….</param>
    /// <param name="parameters">φ; every one must influence the posterior.</param>
    /// <param name="samples">S, latent samples per input in this one estimate.</param>
    public static Tensor Estimate(GradientEstimator kind, Func<(Tensor Mean, Tensor LogVar)> posterior, Func<Tensor, Tensor> f,
                                  IReadOnlyList<Tensor> parameters, int samples)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Use at least one latent sample per estimate.");
        if (parameters.Count == 0) throw new ArgumentException("No parameters to differentiate: pass φ, e.g. vae.EncoderParameters().", nameof(parameters));
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = posterior();
        var eps = torch.randn(new long[] { samples }.Concat(mean.shape).ToArray(), dtype: mean.dtype, device: mean.device);
        var z = Gaussian.Reparameterize(mean, logVar, eps); // broadcasts over the leading S
        Tensor surrogate = kind switch
        {
            GradientEstimator.Reparameterization => f(z).mean(),
            // ∇ of f(z)·log q(z) with z and f(z) held fixed is f(z) ∇ log q(z).
            GradientEstimator.ScoreFunction => (f(z.detach()).detach() * Gaussian.LogLikelihood(z.detach(), mean, logVar)).mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown estimator."),
        };
        var grads = torch.autograd.grad(new[] { surrogate }, parameters.ToArray(), allow_unused: true);
        var flat = new List<Tensor>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
            flat.Add(grads[i] is null || grads[i].IsInvalid ? torch.zeros(parameters[i].numel(), dtype: ScalarType.Float64)
                : grads[i].detach().flatten().to(ScalarType.Float64).cpu());
        return torch.cat(flat, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The largest |mean_a − mean_b| / √(SE_a² + SE_b²) over parameters: how far apart two estimators' mean gradients
    /// are in standard errors. Coordinates where both estimators always gave the same value (e.g. a dead ReLU unit's
    /// weights, gradient 0 every time) have no standard error and are skipped.
    /// </summary>
    /// <summary>
    /// The two claims' measures from a comparison (<see cref="GaussiansTrainer.CompareEstimators"/>): the smallest ratio,
    /// over the sample counts S, of REINFORCE's total variance to reparameterization's, and the largest standardized
    /// difference of their means (<see cref="LargestStandardizedDifference"/>) over S.
    /// </summary>
    public static (double MinVarianceRatio, double MaxStandardizedDifference) Compare(IEnumerable<EstimatorDraws> estimates)
    {
        var bySamples = estimates.GroupBy(e => e.Samples).Select(g => (
            Score: g.Single(e => e.Estimator == GradientEstimator.ScoreFunction),
            Reparam: g.Single(e => e.Estimator == GradientEstimator.Reparameterization))).ToList();
        if (bySamples.Count == 0) throw new ArgumentException("no estimator draws to compare.", nameof(estimates));
        return (bySamples.Min(b => b.Score.TotalVariance / b.Reparam.TotalVariance),
                bySamples.Max(b => LargestStandardizedDifference(b.Score, b.Reparam)));
    }

    public static double LargestStandardizedDifference(EstimatorDraws a, EstimatorDraws b)
    {
        if (a.Draws.shape[1] != b.Draws.shape[1]) throw new ArgumentException($"The draws cover {a.Draws.shape[1]} and {b.Draws.shape[1]} " +
            $"parameters: compare " +
            $"estimates of one gradient.", nameof(b));
        using var scope = torch.NewDisposeScope();
        var se = (a.StandardError.square() + b.StandardError.square()).sqrt();
        var informative = se > 0;
        if (!informative.any().item<bool>()) return 0;
        return ((a.Mean - b.Mean).abs().masked_select(informative) / se.masked_select(informative)).max().item<double>();
    }

    /// <summary><paramref name="draws"/> independent estimates at the current (fixed) parameters.</summary>
    public static EstimatorDraws Draw(GradientEstimator kind, Func<(Tensor Mean, Tensor LogVar)> posterior, Func<Tensor, Tensor> f,
                                      IReadOnlyList<Tensor> parameters, int samples, int draws)
    {
        if (draws < 2) throw new ArgumentOutOfRangeException(nameof(draws), draws, "A variance needs at least 2 draws.");
        using var scope = torch.NewDisposeScope();
        var rows = new List<Tensor>(draws);
        for (int d = 0; d < draws; d++)
        {
            Interrupts.ThrowIfRequested();
            rows.Add(Estimate(kind, posterior, f, parameters, samples));
        }
        return new EstimatorDraws(kind, samples, torch.stack(rows, 0).MoveToOuterDisposeScope());
    }
}
