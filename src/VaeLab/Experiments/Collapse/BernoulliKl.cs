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
        LossTerms.Of(MemberReconstruction, logits, x, mean, logVar, beta);

    /// <summary>−log p(x | z) under independent Bernoulli pixels: sum over pixels, mean over the batch.</summary>
    public static Tensor Reconstruction(Tensor logits, Tensor x) => MemberReconstruction(logits.unsqueeze(0), x.unsqueeze(0))[0];

    /// <summary>
    /// <see cref="Loss"/> for K members at once (inputs K×N×…, β a K-vector): each term a K-vector with the same
    /// reductions (reconstruction: sum over pixels, mean over the batch; KL: sum over latent dimensions, mean over the batch).
    /// </summary>
    public static LossTerms MemberLoss(Tensor logits, Tensor x, Tensor mean, Tensor logVar, Tensor beta) =>
        LossTerms.OfMembers(MemberReconstruction, logits, x, mean, logVar, beta);

    /// <summary><see cref="Reconstruction"/> per member: K×N×… → K, −log p(x | z) summed over pixels, mean over the batch.</summary>
    public static Tensor MemberReconstruction(Tensor logits, Tensor x) =>
        (-Bernoulli.LogLikelihood(logits.flatten(0, 1), x.flatten(0, 1))).reshape(logits.shape[0], -1).mean([1]);
}
