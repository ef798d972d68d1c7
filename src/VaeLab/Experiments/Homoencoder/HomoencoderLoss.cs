using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>The terms of a homoencoder (or VAE) loss, each one value per example, in nats.</summary>
/// <param name="Reconstruction">Summed binary cross-entropy over pixels.</param>
/// <param name="KlC">KL(q(c|D) ‖ p(c)) already multiplied by the example's class-code weight (zero for a VAE).</param>
/// <param name="KlZ">KL(q(z|·) ‖ p(z|·)).</param>
/// <param name="Total">Reconstruction + KlC + KlZ.</param>
public sealed record HomoencoderTerms(Tensor Reconstruction, Tensor KlC, Tensor KlZ, Tensor Total);

/// <summary>
/// The document's loss: summed BCE + w·KL(q(c|D)‖p(c)) + KL(q(z|x,c)‖p(z|c)), with w = 1/|D| (or 1/|class|) per
/// example. Every term is summed over dimensions, one value per example; the caller takes the batch mean.
/// The document's sigmoid + binary_cross_entropy is computed here from logits (binary_cross_entropy_with_logits),
/// which is the same value without the log(0) hazard.
/// </summary>
public static class HomoencoderLoss
{
    /// <summary>log-std (the document's parameterisation) to log-variance (the library's): logVar = 2·logStd.</summary>
    public static Tensor LogVarFromLogStd(Tensor logStd) => 2 * logStd;

    /// <summary>
    /// Per-example terms of the VHE loss. <paramref name="classKlWeight"/> holds one weight per example (1/|D| in
    /// our reading of the document's code, 1/|X_x| in the paper's bound), shape N. Sum over dimensions, one value per example.
    /// </summary>
    public static HomoencoderTerms Vhe(Tensor x, VheOutput o, Tensor classKlWeight)
    {
        var flat = x.reshape(x.shape[0], -1);
        if (classKlWeight.dim() != 1 || classKlWeight.shape[0] != flat.shape[0])
            throw new ArgumentException($"classKlWeight must hold one weight per example (shape [{flat.shape[0]}]); got " +
                $"[{string.Join(",", classKlWeight.shape)}].", nameof(classKlWeight));
        var recon = -Bernoulli.LogLikelihood(o.Logits, flat);
        var zeros = torch.zeros_like(o.CMean);
        // p(c) = N(0, 1): mean 0, log-variance 0.
        var klC = Gaussian.KlDiagonal(o.CMean, LogVarFromLogStd(o.CLogStd), zeros, zeros) * classKlWeight.to(o.CMean.dtype);
        var klZ = Gaussian.KlDiagonal(o.ZMean, LogVarFromLogStd(o.ZLogStd), o.PriorZMean, LogVarFromLogStd(o.PriorZLogStd));
        return new HomoencoderTerms(recon, klC, klZ, recon + klC + klZ);
    }

    /// <summary>Per-example terms of the baseline VAE loss: summed BCE + KL(q(z|x)‖N(0,I)); KlC is zero.</summary>
    public static HomoencoderTerms Vae(Tensor x, VheBaselineVaeOutput o)
    {
        var flat = x.reshape(x.shape[0], -1);
        var recon = -Bernoulli.LogLikelihood(o.Logits, flat);
        var klZ = Gaussian.KlToStandardNormal(o.ZMean, LogVarFromLogStd(o.ZLogStd));
        return new HomoencoderTerms(recon, torch.zeros_like(recon), klZ, recon + klZ);
    }
}
