using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>The ELBO model's loss and the terms notebook 02 plots (each a mean over the batch).</summary>
public sealed record ElboTerms(Tensor Loss, Tensor LogPx, Tensor LogPz, Tensor LogQz);

/// <summary>The MMD-VAE's loss and its two terms.</summary>
public sealed record MmdTerms(Tensor Loss, Tensor Mse, Tensor Mmd);

/// <summary>Notebook 02's two objectives, as its document trains them.</summary>
public static class ElboVsMmdLoss
{
    /// <summary>
    /// The negative single-sample Monte-Carlo ELBO, −(log p(x|z) + log p(z) − log q(z|x)) for z drawn from q(z|x)
    /// (<see cref="Elbo.MonteCarlo"/>): each term summed over dimensions, the loss and each term a mean over the batch.
    /// </summary>
    public static ElboTerms NegativeElbo(Tensor logits, Tensor x, Tensor z, Tensor mean, Tensor logVar) => new(
        -Elbo.MonteCarlo(logits, x, z, mean, logVar).mean(),
        Bernoulli.LogLikelihood(logits, x).mean(), Gaussian.LogStandardNormal(z).mean(), Gaussian.LogLikelihood(z, mean, logVar).mean());

    /// <summary>
    /// The loss the document's code computes for its ELBO model: <c>logpx_z &lt;- -k_sum(crossentropy_loss)</c> sums the
    /// reconstruction over the whole batch, then <c>loss &lt;- -k_mean(logpx_z + logpz - logqz_x)</c> averages the latent
    /// terms: −(Σ over the batch of log p(x|z) + mean over the batch of [log p(z) − log q(z|x)]). Against the per-image
    /// ELBO this weighs reconstruction batch-size times more (β = 1/B). The logged terms are batch means, as in
    /// <see cref="NegativeElbo"/>.
    /// </summary>
    public static ElboTerms DocumentLiteral(Tensor logits, Tensor x, Tensor z, Tensor mean, Tensor logVar)
    {
        var logPx = Bernoulli.LogLikelihood(logits, x);
        var logPz = Gaussian.LogStandardNormal(z);
        var logQz = Gaussian.LogLikelihood(z, mean, logVar);
        return new ElboTerms(-(logPx.sum() + (logPz - logQz).mean()), logPx.mean(), logPz.mean(), logQz.mean());
    }

    /// <summary>
    /// The MMD-VAE's loss: the mean squared error between x and the reconstruction (sigmoid of the logits), a mean over
    /// pixels and the batch (Keras's k_mean), plus <paramref name="mmdWeight"/> · MMD between N(0, I) samples and the
    /// codes with the document's kernel (<see cref="Mmd.ToNormal"/>).
    /// </summary>
    public static MmdTerms MmdVae(Tensor reconstruction, Tensor x, Tensor z, double mmdWeight)
    {
        var mse = nn.functional.mse_loss(reconstruction, x);
        var mmd = Mmd.ToNormal(z);
        return new MmdTerms(mse + mmdWeight * mmd, mse, mmd);
    }
}
