using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The AAE decoder P: z (and, in the supervised and semi-supervised variants, a class code concatenated to it)
/// → 784 pixel logits. The document ends P in a sigmoid and uses binary_cross_entropy; we emit logits and use
/// binary_cross_entropy_with_logits, which equals BCE of the sigmoid but stays finite for saturated pixels.
/// </summary>
public sealed class AaeDecoder : Module<Tensor, Tensor>
{
    private readonly AaeMlp net;

    public int LatentDim { get; }
    public int OutputDim { get; }
    /// <summary>Width of the class code appended to z (0 for the unsupervised AAE).</summary>
    public int ConditionDim { get; }

    public AaeDecoder(int latentDim = 2, int conditionDim = 0, int hiddenDim = 1000, int outputDim = 784, double dropout = 0.2) : base(nameof(AaeDecoder))
    {
        if (conditionDim < 0) throw new ArgumentOutOfRangeException(nameof(conditionDim), conditionDim, "conditionDim must be ≥ 0.");
        LatentDim = latentDim; ConditionDim = conditionDim; OutputDim = outputDim;
        net = new AaeMlp("P", latentDim + conditionDim, hiddenDim, outputDim, dropout);
        RegisterComponents();
    }

    /// <summary>Logits from an already concatenated input [z, condition] (N × (latent + condition)).</summary>
    public override Tensor forward(Tensor input) => net.call(input);

    /// <summary>Logits of P(z) or P([z, condition]); the condition is a one-hot label or class probabilities.</summary>
    public Tensor Decode(Tensor z, Tensor? condition = null)
    {
        if (ConditionDim == 0)
        {
            if (condition is not null) throw new ArgumentException("This decoder was built without a condition (conditionDim 0); pass only z.",
                nameof(condition));
            return forward(z);
        }
        if (condition is null || condition.dim() != 2 || condition.shape[1] != ConditionDim || condition.shape[0] != z.shape[0])
            throw new ArgumentException($"This decoder needs a condition of shape N×{ConditionDim} (one-hot label or class probabilities) with N = " +
                $"{z.shape[0]}; got {(condition is null ? "none" : $"[{string.Join(",", condition.shape)}]")}.", nameof(condition));
        return forward(cat(new[] { z, condition.to_type(z.dtype) }, 1));
    }
}
