using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The AAE encoder Q (also the adversary's generator): x (N×784) → z (N×latent), two ReLU hidden layers with
/// dropout and a linear output, so that z can take any real value a Gaussian prior can.
/// </summary>
public sealed class AaeEncoder : Module<Tensor, Tensor>
{
    private readonly AaeMlp net;

    public int InputDim { get; }
    public int LatentDim { get; }

    public AaeEncoder(int inputDim = 784, int hiddenDim = 1000, int latentDim = 2, double dropout = 0.2) : base(nameof(AaeEncoder))
    {
        InputDim = inputDim; LatentDim = latentDim;
        net = new AaeMlp("Q", inputDim, hiddenDim, latentDim, dropout);
        RegisterComponents();
    }

    /// <summary>z = Q(x), N×latent.</summary>
    public override Tensor forward(Tensor x) => net.call(x);
}
