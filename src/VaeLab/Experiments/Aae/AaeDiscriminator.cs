using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The AAE discriminator D: a code (N×dim) → probability (N×1) that it was drawn from the prior rather than
/// produced by the encoder. Two ReLU hidden layers with dropout 0.2 and a sigmoid output, as in the document.
/// The same shape serves the Gaussian-prior discriminator (dim = z) and the categorical-prior discriminator of the
/// semi-supervised AAE (dim = number of classes).
/// </summary>
public sealed class AaeDiscriminator : Module<Tensor, Tensor>
{
    private readonly AaeMlp net;

    public int InputDim { get; }

    public AaeDiscriminator(int inputDim = 2, int hiddenDim = 1000, double dropout = 0.2) : base(nameof(AaeDiscriminator))
    {
        InputDim = inputDim;
        net = new AaeMlp("D", inputDim, hiddenDim, 1, dropout);
        RegisterComponents();
    }

    /// <summary>D(code) = sigmoid(logit), N×1.</summary>
    public override Tensor forward(Tensor code) => functional.sigmoid(net.call(code));
}
