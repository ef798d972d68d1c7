using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Collapse;

/// <summary>The terms of a collapse-experiment loss (<see cref="MseKl"/>, <see cref="BernoulliKl"/>): total =
/// reconstruction + β · KL, all scalars (K-vectors, one value per member, from the MemberLoss forms).</summary>
public sealed record LossTerms(Tensor Total, Tensor Reconstruction, Tensor Kl)
{
    /// <summary>
    /// One model's loss: <see cref="OfMembers"/> with one member, so that the loss is defined once; every term a scalar.
    /// <paramref name="reconstruction"/> is the member form, reducing K×N×… to K.
    /// </summary>
    internal static LossTerms Of(Func<Tensor, Tensor, Tensor> reconstruction, Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta)
    {
        if (!(beta >= 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be ≥ 0.");
        var t = OfMembers(reconstruction, logits.unsqueeze(0), x.unsqueeze(0), mean.unsqueeze(0), logVar.unsqueeze(0),
            torch.tensor(new[] { (float)beta }, device: logits.device));
        return new LossTerms(t.Total[0], t.Reconstruction[0], t.Kl[0]);
    }

    /// <summary>
    /// <paramref name="reconstruction"/>(logits, x) + β · KL(q(z|x) ‖ N(0, I)) for K members (logits and x K×N×…, mean and
    /// log-variance K×N×D, β a K-vector), the KL summed over latent dimensions and averaged over the batch; both losses
    /// differ only in their reconstruction term. Every term a K-vector; <paramref name="reconstruction"/> reduces K×N×… to K.
    /// </summary>
    internal static LossTerms OfMembers(Func<Tensor, Tensor, Tensor> reconstruction, Tensor logits, Tensor x, Tensor mean, Tensor logVar, Tensor beta)
    {
        if (!logits.shape.SequenceEqual(x.shape))
            throw new ArgumentException($"logits [{string.Join(",", logits.shape)}] and x [{string.Join(",", x.shape)}] must have the " +
                $"same shape.", nameof(logits));
        if (beta.dim() != 1 || beta.shape[0] != logits.shape[0])
            throw new ArgumentException($"β must hold one value per member ({logits.shape[0]}); got [{string.Join(",", beta.shape)}].", nameof(beta));
        var recon = reconstruction(logits, x);
        var kl = Gaussian.KlToStandardNormal(mean, logVar).mean([1]);
        return new LossTerms(recon + beta * kl, recon, kl);
    }
}
