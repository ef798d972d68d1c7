using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using VaeLab.Data;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The adversarial autoencoder's building block: two hidden layers Linear → Dropout → ReLU, then a linear output.
/// The document uses this one shape for the encoder Q, the decoder P and the discriminators.
/// Dropout before ReLU as in the document; the two commute (dropout zeroes and rescales by a positive factor).
/// </summary>
public sealed class AaeMlp : Module<Tensor, Tensor>
{
    private readonly Linear hidden1;
    private readonly Linear hidden2;
    private readonly Linear output;
    private readonly Dropout drop1;
    private readonly Dropout drop2;

    public int InputDim { get; }
    public int HiddenDim { get; }
    public int OutputDim { get; }

    /// <param name="name">Module name, shown in errors ("Q", "P", "D").</param>
    /// <param name="inputDim">Width of the input.</param>
    /// <param name="hiddenDim">Width of both hidden layers (1000 in the document).</param>
    /// <param name="outputDim">Width of the linear output.</param>
    /// <param name="dropout">Dropout probability after each hidden linear layer (0.2 in the document's text).</param>
    public AaeMlp(string name, int inputDim, int hiddenDim, int outputDim, double dropout) : base(name)
    {
        if (inputDim < 1 || hiddenDim < 1 || outputDim < 1)
            throw new ArgumentOutOfRangeException(nameof(inputDim),
                $"{name}: widths must be ≥ 1 (got input {inputDim}, hidden {hiddenDim}, output {outputDim}).");
        if (dropout < 0 || dropout >= 1)
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{name}: dropout must be in [0, 1).");
        InputDim = inputDim; HiddenDim = hiddenDim; OutputDim = outputDim;
        hidden1 = Linear(inputDim, hiddenDim);
        hidden2 = Linear(hiddenDim, hiddenDim);
        output = Linear(hiddenDim, outputDim);
        drop1 = Dropout(dropout);
        drop2 = Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>The last hidden layer's activations (N × hidden), for models with several heads.</summary>
    public Tensor Features(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != InputDim)
            throw new ArgumentException($"{GetName()}: expected input N×{InputDim}, got [{string.Join(",", x.shape)}]. Flatten images to N×{InputDim} first " +
                $"(ImageDataset.Flat).", nameof(x));
        var h = functional.relu(drop1.call(hidden1.call(x)));
        return functional.relu(drop2.call(hidden2.call(h)));
    }

    /// <summary>The linear output layer applied to <see cref="Features"/>.</summary>
    public Tensor Head(Tensor features) => output.call(features);

    public override Tensor forward(Tensor x) => Head(Features(x));

    /// <summary>Parameters of an MLP of this shape: (in+1)·h + (h+1)·h + (h+1)·out.</summary>
    public static long ParameterCount(int inputDim, int hiddenDim, int outputDim)
        => (long)(inputDim + 1) * hiddenDim + (long)(hiddenDim + 1) * hiddenDim + (long)(hiddenDim + 1) * outputDim;
}
