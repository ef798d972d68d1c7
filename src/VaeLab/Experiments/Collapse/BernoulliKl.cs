using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// The properly scaled counterpart of <see cref="MseKl"/>, for reading the document's claims under the standard ELBO:
/// reconstruction is −log p(x | z) under independent Bernoulli pixels (sum over pixels, mean over the batch), KL as in
/// <see cref="MseKl"/> (sum over latent dimensions, mean over the batch); total = reconstruction + β · KL, the negative
/// ELBO at β = 1.
/// </summary>
public static class BernoulliKl
{
    /// <summary>Reconstruction: −log p(x | z), sum over pixels, mean over the batch. KL: sum over latent dimensions, mean
    /// over the batch. Total = reconstruction + β · KL.</summary>
    public static LossTerms Loss(Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta) =>
        LossTerms.Of(Reconstruction, logits, x, mean, logVar, beta);

    /// <summary>−log p(x | z) under independent Bernoulli pixels: sum over pixels, mean over the batch.</summary>
    public static Tensor Reconstruction(Tensor logits, Tensor x) => (-Bernoulli.LogLikelihood(logits, x)).mean();
}
