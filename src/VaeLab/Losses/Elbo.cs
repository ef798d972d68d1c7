using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Losses;

/// <summary>
/// The terms of an ELBO, one value per example (sum over dimensions, Monte-Carlo mean over latent samples);
/// the caller takes the batch mean. Elbo = LogLikelihood − Kl, in nats.
/// </summary>
public sealed record ElboTerms(Tensor Elbo, Tensor LogLikelihood, Tensor Kl);

/// <summary>
/// Evidence lower bounds built from the terms in <see cref="Gaussian"/> and <see cref="Bernoulli"/>. Each returns one
/// value per example (summed over dimensions), in nats; the caller takes the batch mean.
/// </summary>
public static class Elbo
{
    /// <summary>
    /// ELBO of a Gaussian posterior and a Gaussian likelihood with learned diagonal variance:
    /// (1/n_z) Σ_s log N(x; μ_x(z_s), exp(logVar_x(z_s))) − KL(N(μ_z, exp(logVar_z)) ‖ N(0, I)).
    /// The likelihood counts the −½ d_x log 2π constant once, the quadratic term as (x − μ)² / (2σ²), and
    /// log σ² from the predicted log-variance; the KL is closed form.
    /// Sum over dimensions, mean over the n_z samples, one value per example (B).
    /// </summary>
    /// <param name="x">Inputs, B×d_x.</param>
    /// <param name="xMean">Likelihood means, B×n_z×d_x (one row per latent sample).</param>
    /// <param name="xLogVar">Likelihood log-variances, B×n_z×d_x.</param>
    /// <param name="zMean">Posterior means, B×d_z.</param>
    /// <param name="zLogVar">Posterior log-variances, B×d_z.</param>
    public static ElboTerms GaussianLikelihood(Tensor x, Tensor xMean, Tensor xLogVar, Tensor zMean, Tensor zLogVar)
    {
        if (x.dim() != 2) throw new ArgumentException($"x must be B×d_x; got shape [{string.Join(",", x.shape)}].", nameof(x));
        if (xMean.dim() != 3 || xMean.shape[0] != x.shape[0] || xMean.shape[2] != x.shape[1])
            throw new ArgumentException($"xMean must be B×n_z×d_x = [{x.shape[0]},n_z,{x.shape[1]}]; got [{string.Join(",", xMean.shape)}]. Pass the decoder " +
                $"output for every latent sample.", nameof(xMean));
        if (!xLogVar.shape.SequenceEqual(xMean.shape))
            throw new ArgumentException($"xLogVar must have xMean's shape [{string.Join(",", xMean.shape)}]; got " +
                $"[{string.Join(",", xLogVar.shape)}].", nameof(xLogVar));
        var logLikelihood = Gaussian.LogLikelihood(x.unsqueeze(1), xMean, xLogVar).mean(new long[] { 1 });
        var kl = Gaussian.KlToStandardNormal(zMean, zLogVar);
        return new ElboTerms(logLikelihood - kl, logLikelihood, kl);
    }

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
