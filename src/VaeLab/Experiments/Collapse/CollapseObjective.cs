using static TorchSharp.torch;

namespace VaeLab.Experiments.Collapse;

/// <summary>Which objective notebooks 03 and 04 train.</summary>
public enum CollapseObjective
{
    /// <summary>The document's: per-pixel mean squared error + β · summed KL (<see cref="MseKl"/>). At β = 1 it is not an
    /// ELBO but a Gaussian decoder with variance 392 per pixel (in [0, 1] pixel units).</summary>
    DocumentMse,
    /// <summary>The standard scaling: summed Bernoulli negative log-likelihood + β · summed KL (<see cref="BernoulliKl"/>);
    /// β = 1 is the negative ELBO.</summary>
    BernoulliElbo,
}

public static class CollapseObjectives
{
    /// <summary>The objective's name in run names and legends: "document's loss" or "standard ELBO".</summary>
    public static string Label(this CollapseObjective objective) => objective switch
    {
        CollapseObjective.DocumentMse => "document's loss",
        CollapseObjective.BernoulliElbo => "standard ELBO",
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };

    /// <summary>The objective's loss: <see cref="MseKl.Loss"/> or <see cref="BernoulliKl.Loss"/>.</summary>
    public static LossTerms Loss(this CollapseObjective objective, Tensor logits, Tensor x, Tensor mean, Tensor logVar, double beta) => objective switch
    {
        CollapseObjective.DocumentMse => MseKl.Loss(logits, x, mean, logVar, beta),
        CollapseObjective.BernoulliElbo => BernoulliKl.Loss(logits, x, mean, logVar, beta),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };

    /// <summary>The objective's loss for K members at once (<see cref="MseKl.MemberLoss"/>, <see cref="BernoulliKl.MemberLoss"/>): K-vectors.</summary>
    public static LossTerms MemberLoss(this CollapseObjective objective, Tensor logits, Tensor x, Tensor mean, Tensor logVar, Tensor beta) => objective switch
    {
        CollapseObjective.DocumentMse => MseKl.MemberLoss(logits, x, mean, logVar, beta),
        CollapseObjective.BernoulliElbo => BernoulliKl.MemberLoss(logits, x, mean, logVar, beta),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };

    /// <summary>The objective's reconstruction term alone, in its own units (<see cref="ReconstructionUnit"/>).</summary>
    public static Tensor Reconstruction(this CollapseObjective objective, Tensor logits, Tensor x) => objective switch
    {
        CollapseObjective.DocumentMse => MseKl.Reconstruction(logits, x),
        CollapseObjective.BernoulliElbo => BernoulliKl.Reconstruction(logits, x),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };

    /// <summary>What the reconstruction term is measured in, for axis titles and tables.</summary>
    public static string ReconstructionUnit(this CollapseObjective objective) => objective switch
    {
        CollapseObjective.DocumentMse => "per-pixel MSE",
        CollapseObjective.BernoulliElbo => "−log p(x|z), nats",
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown collapse objective."),
    };
}
