using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Collapse;

/// <summary>The terms of a collapse-experiment loss (<see cref="MseKl"/>, <see cref="BernoulliKl"/>): total =
/// reconstruction + β · KL, all scalars.</summary>
public sealed record LossTerms(Tensor Total, Tensor Reconstruction, Tensor Kl)
{
    /// <summary>
    /// <paramref name="reconstruction"/>(logits, x) + β · KL(q(z|x) ‖ N(0, I)), the KL summed over latent dimensions and
    /// averaged over the batch; both losses differ only in their reconstruction term.
    /// </summary>
    internal static LossTerms Of(Func<Tensor, Tensor, Tensor> reconstruction, Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta)
    {
        if (!logits.shape.SequenceEqual(x.shape))
            throw new ArgumentException($"logits [{string.Join(",", logits.shape)}] and x [{string.Join(",", x.shape)}] must have the same shape.", nameof(logits));
        if (!(beta >= 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be ≥ 0.");
        var recon = reconstruction(logits, x);
        var kl = Gaussian.KlToStandardNormal(mean, logVar).mean();
        return new LossTerms(recon + beta * kl, recon, kl);
    }
}

/// <summary>Which objective notebooks 03 and 04 train.</summary>
public enum CollapseObjective
{
    /// <summary>The document's: per-pixel mean squared error + β · summed KL (<see cref="MseKl"/>). At β = 1 it is not an
    /// ELBO but a Gaussian decoder with variance 392 per pixel (in [0, 1] pixel units).</summary>
    DocumentMse,
    /// <summary>The standard scaling: summed Bernoulli negative log-likelihood + β · summed KL (<see cref="BernoulliKl"/>);
    /// β = 1 is the negative ELBO.</summary>
    BernoulliElbo,
}

public static class CollapseObjectives
{
    /// <summary>The objective's name in run names and legends: "document's loss" or "standard ELBO".</summary>
    public static string Label(this CollapseObjective objective) => objective switch
    {
        CollapseObjective.DocumentMse => "document's loss",
        CollapseObjective.BernoulliElbo => "standard ELBO",
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };
}

/// <summary>
/// The loss of the posterior-collapse document (notebooks 03 and 04), kept as it states it: a per-pixel MEAN squared
/// error plus β times a KL that is a SUM over latent dimensions. It deliberately breaks the library's one convention
/// (sum over dimensions) for the reconstruction: dividing it by 784 pixels is what lets the KL overshadow it, the
/// document's stated cause of collapse. Equivalently it is a Gaussian decoder with variance σ² = 392 β per pixel.
/// </summary>
public static class MseKl
{
    /// <summary>
    /// Reconstruction: mean over pixels and over the batch of (sigmoid(logits) − x)². KL(q(z|x) ‖ N(0, I)) in nats:
    /// sum over latent dimensions, mean over the batch. Total = reconstruction + β · KL.
    /// </summary>
    public static LossTerms Loss(Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta) =>
        LossTerms.Of(Reconstruction, logits, x, mean, logVar, beta);

    /// <summary>Per-pixel mean squared error of sigmoid(logits) against x: mean over pixels and over the batch.</summary>
    public static Tensor Reconstruction(Tensor logits, Tensor x) => (logits.sigmoid() - x).square().mean();
}

/// <summary>
/// The properly scaled counterpart of <see cref="MseKl"/>, for reading the document's claims under the standard ELBO:
/// reconstruction is −log p(x | z) under independent Bernoulli pixels (sum over pixels, mean over the batch), KL as in
/// <see cref="MseKl"/> (sum over latent dimensions, mean over the batch); total = reconstruction + β · KL, the negative
/// ELBO at β = 1.
/// </summary>
public static class BernoulliKl
{
    public static LossTerms Loss(Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta) =>
        LossTerms.Of(Reconstruction, logits, x, mean, logVar, beta);

    /// <summary>−log p(x | z) under independent Bernoulli pixels: sum over pixels, mean over the batch.</summary>
    public static Tensor Reconstruction(Tensor logits, Tensor x) => (-Bernoulli.LogLikelihood(logits, x)).mean();

    /// <summary>The loss of <paramref name="objective"/>.</summary>
    public static LossTerms Of(CollapseObjective objective, Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta) => objective switch
    {
        CollapseObjective.DocumentMse => MseKl.Loss(logits, x, mean, logVar, beta),
        CollapseObjective.BernoulliElbo => Loss(logits, x, mean, logVar, beta),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };
}
