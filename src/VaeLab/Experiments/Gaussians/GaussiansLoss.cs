using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Gaussians;

/// <summary>Notebook 01's two losses, as pure functions.</summary>
public static class GaussiansLoss
{
    /// <summary>
    /// The autoencoder's squared error ‖x − x̂‖². Sum over dimensions, mean over the batch (so it is input-size times
    /// the document's element-wise mean, which only rescales the gradient; Adam is invariant to that).
    /// </summary>
    public static Tensor Autoencoder(Tensor reconstruction, Tensor x) => (reconstruction - x).square().sum(-1).mean();

    /// <summary>
    /// The VAE's ELBO terms per example (<see cref="Elbo.GaussianLikelihood"/>: a Gaussian decoder averaged over the
    /// model's latent samples, the analytic KL); the loss is −ELBO, mean over the batch.
    /// </summary>
    public static ElboTerms Vae(Tensor x, GaussianVaeOutput output) =>
        Elbo.GaussianLikelihood(x, output.XMean, output.XLogVar, output.ZMean, output.ZLogVar);

    /// <summary>
    /// <see cref="Autoencoder"/> of K members at once (reconstruction and x K×B×d): sum over dimensions, mean over each
    /// member's batch, one value per member.
    /// </summary>
    public static Tensor MemberAutoencoder(Tensor reconstruction, Tensor x) => (reconstruction - x).square().sum(-1).mean(new long[] { -1 });

    /// <summary>
    /// <see cref="Vae"/>'s terms for K members at once (x K×B×d_x, the outputs of <see cref="BatchedGaussianVae"/>):
    /// the Gaussian log-likelihood summed over dimensions and averaged over the latent samples, the analytic KL summed
    /// over latent dimensions; one value per member and example (K×B), as <see cref="Vae"/> gives per example.
    /// </summary>
    public static ElboTerms MemberVae(Tensor x, GaussianVaeOutput output)
    {
        if (x.dim() != 3 || output.XMean.dim() != 4 || output.XMean.shape[0] != x.shape[0] || output.XMean.shape[1] != x.shape[1])
            throw new ArgumentException($"x must be K×B×d_x and the decoder's mean K×B×n_z×d_x; got [{string.Join(",", x.shape)}] and " +
                $"[{string.Join(",", output.XMean.shape)}].", nameof(x));
        var logLikelihood = Gaussian.LogLikelihood(x.unsqueeze(2), output.XMean, output.XLogVar).mean(new long[] { 2 });
        var kl = Gaussian.KlToStandardNormal(output.ZMean, output.ZLogVar);
        return new ElboTerms(logLikelihood - kl, logLikelihood, kl);
    }
}
