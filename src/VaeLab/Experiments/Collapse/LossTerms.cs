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
