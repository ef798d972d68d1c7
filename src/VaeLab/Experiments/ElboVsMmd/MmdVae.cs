using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>
/// One pass of <see cref="MmdVae"/>: the code, the decoder's logits and the document's decoder output
/// <c>Reconstruction = sigmoid(Logits)</c> (pixel values in (0,1), what the mean squared error compares).
/// </summary>
public sealed record MmdVaeOutput(Tensor Logits, Tensor Reconstruction, Tensor Z);

/// <summary>
/// The document's MMD-VAE (InfoVAE): a deterministic <see cref="ConvEncoder"/> straight to the latent code (no
/// variance, no sampling) and the same <see cref="ConvDecoder"/>, whose last layer ends in a sigmoid. The sigmoid is
/// applied here, outside the decoder, so the logits stay available (stable BCE, or log-likelihood diagnostics).
/// At latent 2: 23 426 encoder + 41 953 decoder = 65 379 parameters.
/// </summary>
public sealed class MmdVae : nn.Module<Tensor, MmdVaeOutput>
{
    private readonly ConvEncoder encoder;
    private readonly ConvDecoder decoder;

    public int LatentDim { get; }

    public MmdVae(int latent = 2, string name = "mmd_vae") : base(name)
    {
        LatentDim = latent;
        encoder = new ConvEncoder(latent);
        decoder = new ConvDecoder(latent);
        RegisterComponents();
    }

    /// <summary>The deterministic code, N×latent.</summary>
    public Tensor Encode(Tensor x) => encoder.call(x);

    /// <summary>Decoder logits N×1×28×28; the document's image is their sigmoid.</summary>
    public Tensor Decode(Tensor z) => decoder.call(z);

    public override MmdVaeOutput forward(Tensor x)
    {
        var z = Encode(x);
        var logits = Decode(z);
        return new MmdVaeOutput(logits, logits.sigmoid(), z);
    }
}
