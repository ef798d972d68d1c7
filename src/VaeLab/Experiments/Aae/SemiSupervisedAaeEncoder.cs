using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VaeLab.Experiments.Aae;

/// <summary>The semi-supervised encoder's two codes.</summary>
/// <param name="ClassLogits">N×classes logits of the categorical code (for the supervised cross-entropy).</param>
/// <param name="Y">N×classes softmax of the logits: the categorical code the decoder and D_cat see.</param>
/// <param name="Z">N×style continuous style code, regularized toward the Gaussian prior.</param>
public sealed record SemiSupervisedCode(Tensor ClassLogits, Tensor Y, Tensor Z);

/// <summary>
/// The semi-supervised AAE encoder q(y, z | x): a shared two-layer trunk (784 → 1000 → 1000, dropout, ReLU) with a
/// softmax head y over the classes and a linear style head z. The decoder reconstructs from [z, y].
/// </summary>
public sealed class SemiSupervisedAaeEncoder : Module<Tensor, SemiSupervisedCode>
{
    private readonly AaeMlp trunk;
    private readonly Linear classHead;

    public int Classes { get; }
    public int LatentDim { get; }

    public SemiSupervisedAaeEncoder(int inputDim = 784, int hiddenDim = 1000, int classes = 10, int styleDim = 2, double dropout = 0.2)
        : base(nameof(SemiSupervisedAaeEncoder))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be ≥ 2.");
        Classes = classes; LatentDim = styleDim;
        // The trunk's own linear output is the style head.
        trunk = new AaeMlp("Q", inputDim, hiddenDim, styleDim, dropout);
        classHead = Linear(hiddenDim, classes);
        RegisterComponents();
    }

    public override SemiSupervisedCode forward(Tensor x)
    {
        var h = trunk.Features(x);
        var logits = classHead.call(h);
        // Style from the same features, through the trunk's output layer.
        var z = trunk.Head(h);
        return new SemiSupervisedCode(logits, functional.softmax(logits, 1), z);
    }
}
