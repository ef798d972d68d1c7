using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Collapse;

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
        LossTerms.Of(MemberReconstruction, logits, x, mean, logVar, beta);

    /// <summary>Per-pixel mean squared error of sigmoid(logits) against x: mean over pixels and over the batch.</summary>
    public static Tensor Reconstruction(Tensor logits, Tensor x) => MemberReconstruction(logits.unsqueeze(0), x.unsqueeze(0))[0];

    /// <summary>
    /// <see cref="Loss"/> for K members at once (inputs K×N×…, β a K-vector): each term a K-vector, member k's the
    /// loss of its slice, with the same reductions (reconstruction: mean over pixels and the batch; KL: sum over
    /// latent dimensions, mean over the batch).
    /// </summary>
    public static LossTerms MemberLoss(Tensor logits, Tensor x, Tensor mean, Tensor logVar, Tensor beta) =>
        LossTerms.OfMembers(MemberReconstruction, logits, x, mean, logVar, beta);

    /// <summary><see cref="Reconstruction"/> per member: K×N×… → K, mean over pixels and over the batch.</summary>
    public static Tensor MemberReconstruction(Tensor logits, Tensor x) => (logits.sigmoid() - x).square().flatten(1).mean([1]);
}
