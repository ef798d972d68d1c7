using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Losses;

/// <summary>
/// ELBO estimators for a Bernoulli decoder (logits), a diagonal-Gaussian encoder and an N(0, I) prior. Each returns
/// one value per example (summed over pixels and latent dimensions), in nats; the caller takes the batch mean.
/// </summary>
public static class Elbo
{
    /// <summary>
    /// Single-sample Monte-Carlo ELBO, log p(x|z) + log p(z) − log q(z|x), for z drawn from q(z|x).
    /// One value per example.
    /// </summary>
    public static Tensor MonteCarlo(Tensor logits, Tensor x, Tensor z, Tensor mean, Tensor logVar)
        => Bernoulli.LogLikelihood(logits, x) + Gaussian.LogStandardNormal(z) - Gaussian.LogLikelihood(z, mean, logVar);

    /// <summary>
    /// ELBO with the KL in closed form: log p(x|z) − KL(q(z|x) ‖ N(0, I)), for z drawn from q(z|x).
    /// Same expectation as <see cref="MonteCarlo"/>, lower variance. One value per example.
    /// </summary>
    public static Tensor AnalyticKl(Tensor logits, Tensor x, Tensor mean, Tensor logVar)
        => Bernoulli.LogLikelihood(logits, x) - Gaussian.KlToStandardNormal(mean, logVar);

    /// <summary>
    /// Log importance weights log p(x|z) + log p(z) − log q(z|x) for k codes per example:
    /// logits k·N×…, x N×…, z k×N×d, mean/logVar N×d. Returns k×N.
    /// </summary>
    public static Tensor LogWeights(Tensor logits, Tensor x, Tensor z, Tensor mean, Tensor logVar)
    {
        long k = z.shape[0], n = z.shape[1];
        var xs = x.unsqueeze(0).expand(new[] { k }.Concat(x.shape).ToArray()).reshape(logits.shape);
        var logPx = Bernoulli.LogLikelihood(logits, xs).reshape(k, n);
        return logPx + Gaussian.LogStandardNormal(z) - Gaussian.LogLikelihood(z, mean.unsqueeze(0), logVar.unsqueeze(0));
    }

    /// <summary>
    /// Importance-weighted bound (IWAE) from k×N log weights: log (1/k) Σ_i exp(w_i), stably. One value per example;
    /// k = 1 is the Monte-Carlo ELBO, and it tightens towards log p(x) as k grows.
    /// </summary>
    public static Tensor ImportanceWeighted(Tensor logWeights)
    {
        if (logWeights.dim() != 2) throw new ArgumentException($"log weights must be k×N; got [{string.Join(",", logWeights.shape)}].", nameof(logWeights));
        return logWeights.logsumexp(0) - Math.Log(logWeights.shape[0]);
    }
}
