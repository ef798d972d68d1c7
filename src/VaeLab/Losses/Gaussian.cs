using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Losses;

/// <summary>
/// Gaussian and Bernoulli terms of the ELBO. One convention throughout: every function returns one value per
/// example — summed over dimensions, one entry per batch row — and the caller takes the batch mean.
/// Natural log, so values are in nats.
/// </summary>
public static class Gaussian
{
    static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form: ½ Σ (exp(logVar) + mean² − 1 − logVar).
    /// Sum over dimensions, one value per example.
    /// </summary>
    public static Tensor KlToStandardNormal(Tensor mean, Tensor logVar)
        => (0.5 * (logVar.exp() + mean.square() - 1 - logVar)).sum(-1);

    /// <summary>
    /// KL(N(m1, exp(lv1)) ‖ N(m2, exp(lv2))) between diagonal Gaussians, in closed form:
    /// ½ Σ (lv2 − lv1 + (exp(lv1) + (m1 − m2)²) / exp(lv2) − 1). Sum over dimensions, one value per example.
    /// </summary>
    public static Tensor KlDiagonal(Tensor mean1, Tensor logVar1, Tensor mean2, Tensor logVar2)
        => (0.5 * (logVar2 - logVar1 + (logVar1.exp() + (mean1 - mean2).square()) / logVar2.exp() - 1)).sum(-1);

    /// <summary>
    /// log N(x; mean, exp(logVar)) with a learned diagonal variance:
    /// −½ Σ (log 2π + logVar + (x − mean)² / exp(logVar)). Sum over dimensions, one value per example.
    /// </summary>
    public static Tensor LogLikelihood(Tensor x, Tensor mean, Tensor logVar)
        => (-0.5 * (Log2Pi + logVar + (x - mean).square() * (-logVar).exp())).sum(-1);

    /// <summary>log N(z; 0, I). Sum over dimensions, one value per example.</summary>
    public static Tensor LogStandardNormal(Tensor z) => (-0.5 * (Log2Pi + z.square())).sum(-1);

    /// <summary>z = mean + exp(½ logVar) · ε with ε ~ N(0, I) drawn on the input's device.</summary>
    public static Tensor Reparameterize(Tensor mean, Tensor logVar)
        => Reparameterize(mean, logVar, torch.randn_like(mean));

    /// <summary>
    /// z = mean + exp(½ logVar) · ε for a given ε: noise from a generator of the caller's, or S draws at once (ε of
    /// shape S×N×D against mean and logVar N×D broadcasts to S samples per example).
    /// </summary>
    public static Tensor Reparameterize(Tensor mean, Tensor logVar, Tensor eps)
        => mean + (0.5 * logVar).exp() * eps;
}

/// <summary>Bernoulli likelihood of pixels from logits.</summary>
public static class Bernoulli
{
    /// <summary>
    /// log p(x | logits) = −BCE(sigmoid(logits), x), computed stably from logits (x may be in [0,1]).
    /// Sum over dimensions (all but the first), one value per example.
    /// </summary>
    public static Tensor LogLikelihood(Tensor logits, Tensor x)
    {
        var bce = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None);
        return -bce.flatten(1).sum(1);
    }
}
