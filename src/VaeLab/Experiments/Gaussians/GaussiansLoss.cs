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
}
