using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Nn;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// A feed-forward VAE: encoder input → hidden layers (ReLU) → mean and log-variance; decoder z → hidden layers (ReLU)
/// → pixel logits. Without convolutions it has no built-in translation invariance, which is the sense in which the
/// document calls it "lower capacity". Hidden sizes and latent dimension are free, so it also serves as a plain VAE
/// baseline of a chosen size. Logits come back in the input's shape (N×784 or N×1×28×28).
/// </summary>
public sealed class MlpVae : nn.Module<Tensor, VaeOutput>, IGaussianVae
{
    readonly Sequential encoder, decoder;
    readonly Linear toMean, toLogVar;
    readonly long[] imageShape;

    public int LatentDim { get; }
    public int InputDim { get; }
    public IReadOnlyList<int> EncoderHidden { get; }
    public IReadOnlyList<int> DecoderHidden { get; }
    /// <summary>Shape of one input image (C, H, W).</summary>
    public IReadOnlyList<long> ImageShape => imageShape;

    /// <param name="encoderHidden">Hidden layer widths of the encoder, input side first (at least one).</param>
    /// <param name="latentDim">D, the latent dimension.</param>
    /// <param name="decoderHidden">Decoder widths, z side first; null mirrors the encoder.</param>
    /// <param name="imageShape">Shape of one input image (C, H, W); its product is the input dimension.</param>
    public MlpVae(int[] encoderHidden, int latentDim, int[]? decoderHidden = null, long[]? imageShape = null) : base(nameof(MlpVae))
    {
        if (encoderHidden is null || encoderHidden.Length == 0 || encoderHidden.Any(h => h < 1))
            throw new ArgumentException("encoderHidden needs at least one layer width, each ≥ 1 (e.g. new[] { 512, 256 }).", nameof(encoderHidden));
        decoderHidden ??= Enumerable.Reverse(encoderHidden).ToArray();
        if (decoderHidden.Length == 0 || decoderHidden.Any(h => h < 1))
            throw new ArgumentException("decoderHidden needs at least one layer width, each ≥ 1, or null to mirror the encoder.", nameof(decoderHidden));
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be ≥ 1.");
        this.imageShape = imageShape ?? new long[] { 1, 28, 28 };
        InputDim = (int)this.imageShape.Aggregate(1L, (a, b) => a * b);
        LatentDim = latentDim;
        EncoderHidden = encoderHidden.ToArray();
        DecoderHidden = decoderHidden.ToArray();

        encoder = Stack("encoder", InputDim, encoderHidden);
        toMean = nn.Linear(encoderHidden[^1], latentDim);
        toLogVar = nn.Linear(encoderHidden[^1], latentDim);
        decoder = Stack("decoder", latentDim, decoderHidden);
        decoder.append("logits", nn.Linear(decoderHidden[^1], InputDim));
        RegisterComponents();
    }

    public void SetOutputBias(double logit)
    {
        using var _ = torch.no_grad();
        ((Linear)decoder.children().Last()).bias!.fill_(logit);
    }

    static Sequential Stack(string name, int input, int[] widths)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = input;
        for (int i = 0; i < widths.Length; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(width, widths[i])));
            layers.Add(($"relu{i}", nn.ReLU()));
            width = widths[i];
        }
        return nn.Sequential(layers);
    }

    /// <summary>Parameter count: Σ (in·out + out) over every linear layer, both heads included.</summary>
    public static long ParameterCount(int[] encoderHidden, int latentDim, int[]? decoderHidden = null, int inputDim = 784)
    {
        decoderHidden ??= Enumerable.Reverse(encoderHidden).ToArray();
        static long Dense(long i, long o) => i * o + o;
        long n = 0; long w = inputDim;
        foreach (var h in encoderHidden) { n += Dense(w, h); w = h; }
        n += 2 * Dense(w, latentDim);
        w = latentDim;
        foreach (var h in decoderHidden) { n += Dense(w, h); w = h; }
        return n + Dense(w, inputDim);
    }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        if (x.numel() != x.shape[0] * InputDim)
            throw new ArgumentException($"MlpVae expects N×{InputDim} or N×{string.Join("×", imageShape)} inputs; got " +
                $"[{string.Join(",", x.shape)}].", nameof(x));
        var h = encoder.call(x.reshape(x.shape[0], InputDim));
        return (toMean.call(h), toLogVar.call(h));
    }

    /// <summary>Pixel logits N×C×H×W from z.</summary>
    public Tensor Decode(Tensor z) => decoder.call(z).reshape(new long[] { z.shape[0] }.Concat(imageShape).ToArray());

    public override VaeOutput forward(Tensor x)
    {
        var (mean, logVar) = Encode(x);
        var z = Gaussian.Reparameterize(mean, logVar);
        var logits = Decode(z);
        return new VaeOutput(x.dim() == 2 ? logits.reshape(x.shape[0], InputDim) : logits, mean, logVar, z);
    }
}
