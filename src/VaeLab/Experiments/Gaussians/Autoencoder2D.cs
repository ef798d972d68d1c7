using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace VaeLab.Experiments.Gaussians;

/// <summary>What <see cref="Autoencoder2D"/> returns: the code and the reconstruction.</summary>
public sealed record AutoencoderOutput(Tensor Code, Tensor Reconstruction);

/// <summary>
/// Notebook 01's deterministic autoencoder: input → hidden (ReLU) → bottleneck → hidden (ReLU) → input,
/// with a linear code and a linear output. With a 1-d bottleneck on 2-D data it can only map the plane onto a curve.
/// </summary>
public sealed class Autoencoder2D : Module<Tensor, AutoencoderOutput>
{
    readonly Linear inputHidden, hiddenCode, codeHidden, hiddenOutput;

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int LatentDim { get; }

    public Autoencoder2D(int inputSize = 2, int hiddenSize = 10, int latentDim = 1) : base(nameof(Autoencoder2D))
    {
        if (inputSize < 1 || hiddenSize < 1 || latentDim < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"Autoencoder2D sizes must be ≥ 1; got input {inputSize}, hidden {hiddenSize}, latent {latentDim}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        LatentDim = latentDim;
        inputHidden = Linear(inputSize, hiddenSize);
        hiddenCode = Linear(hiddenSize, latentDim);
        codeHidden = Linear(latentDim, hiddenSize);
        hiddenOutput = Linear(hiddenSize, inputSize);
        RegisterComponents();
    }

    /// <summary>N×input → N×bottleneck.</summary>
    public Tensor Encode(Tensor x) => hiddenCode.call(functional.relu(inputHidden.call(x)));

    /// <summary>N×bottleneck → N×input.</summary>
    public Tensor Decode(Tensor code) => hiddenOutput.call(functional.relu(codeHidden.call(code)));

    public override AutoencoderOutput forward(Tensor x)
    {
        var code = Encode(x);
        return new AutoencoderOutput(code, Decode(code));
    }
}
