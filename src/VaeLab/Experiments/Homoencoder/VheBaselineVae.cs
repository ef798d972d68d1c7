using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>One pass of a <see cref="VheBaselineVae"/>: logits N×784, q(z|x) as mean and log-std, a sample z.</summary>
public sealed record VheBaselineVaeOutput(Tensor Logits, Tensor ZMean, Tensor ZLogStd, Tensor Z);

/// <summary>
/// The VAE baseline of notebook 06, built like the <see cref="Vhe"/>'s parts (one 512-unit MLP per distribution
/// parameter, log-std parameterisation) with prior N(0, I) and decoder z → 784 logits. Its latent length is a
/// parameter: the notebook gives it 2·code so the decoder sees as many latent numbers as the VHE's [z, c].
/// </summary>
public sealed class VheBaselineVae : nn.Module<Tensor, VheBaselineVaeOutput>
{
    readonly Sequential encodeMean, encodeLogStd, decode;

    public int LatentDim { get; }
    public int Pixels { get; }

    public VheBaselineVae(int latentDim, int hidden = 512, int pixels = 28 * 28) : base(nameof(VheBaselineVae))
    {
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be ≥ 1.");
        LatentDim = latentDim;
        Pixels = pixels;
        encodeMean = Vhe.Mlp(pixels, hidden, latentDim);
        encodeLogStd = Vhe.Mlp(pixels, hidden, latentDim);
        decode = Vhe.Mlp(latentDim, hidden, pixels);
        RegisterComponents();
    }

    /// <param name="x">N×784 or N×1×28×28 in [0,1].</param>
    public override VheBaselineVaeOutput forward(Tensor x)
    {
        var flat = x.reshape(x.shape[0], -1);
        if (flat.shape[1] != Pixels) throw new ArgumentException($"VheBaselineVae expects {Pixels} pixels per example; x has shape " +
            $"[{string.Join(",", x.shape)}].", nameof(x));
        var mean = encodeMean.call(flat);
        var logStd = encodeLogStd.call(flat);
        var z = Gaussian.Reparameterize(mean, 2 * logStd);  // log-variance = 2 log σ
        return new VheBaselineVaeOutput(decode.call(z), mean, logStd, z);
    }

    /// <summary>Decoder logits for codes z (N×latent), N×784.</summary>
    public Tensor Decode(Tensor z) => decode.call(z);
}
