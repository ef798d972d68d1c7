using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Nn;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// The convolutional VAE of notebook 03 (posterior collapse). The source document shows its architecture only as an
/// image, so this is a standard small MNIST conv VAE of that kind: two stride-2 4×4 convolutions (1→C→2C channels,
/// 28→14→7) and a linear layer to the mean and log-variance; the decoder mirrors it with a linear layer and two
/// stride-2 transposed convolutions, ending in pixel logits. ReLU throughout.
/// </summary>
public sealed class CollapseConvVae : nn.Module<Tensor, VaeOutput>, IGaussianVae
{
    readonly Conv2d conv1, conv2;
    readonly Linear toMean, toLogVar, fromZ;
    readonly ConvTranspose2d deconv1, deconv2;
    readonly int channels;

    public int LatentDim { get; }
    /// <summary>C, the first conv layer's channels.</summary>
    public int Channels => channels;

    /// <param name="latentDim">D, the latent dimension.</param>
    /// <param name="channels">C, the first conv layer's channels (the second has 2C).</param>
    public CollapseConvVae(int latentDim = 10, int channels = 32) : base(nameof(CollapseConvVae))
    {
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be ≥ 1.");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be ≥ 1.");
        LatentDim = latentDim;
        this.channels = channels;
        int flat = 2 * channels * 7 * 7;
        conv1 = nn.Conv2d(1, channels, 4, stride: 2, padding: 1);
        conv2 = nn.Conv2d(channels, 2 * channels, 4, stride: 2, padding: 1);
        toMean = nn.Linear(flat, latentDim);
        toLogVar = nn.Linear(flat, latentDim);
        fromZ = nn.Linear(latentDim, flat);
        deconv1 = nn.ConvTranspose2d(2 * channels, channels, 4, stride: 2, padding: 1);
        deconv2 = nn.ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <summary>Parameter count for (D, C): conv weights and biases, the two heads, the decoder.</summary>
    public static long ParameterCount(int latentDim, int channels)
    {
        long c = channels, d = latentDim, flat = 2 * c * 49;
        return (16 * c + c) + (16 * c * 2 * c + 2 * c) + 2 * (flat * d + d) + (d * flat + flat) + (16 * 2 * c * c + c) + (16 * c + 1);
    }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 1 || x.shape[2] != 28 || x.shape[3] != 28)
            throw new ArgumentException($"CollapseConvVae expects images N×1×28×28; got [{string.Join(",", x.shape)}]. " +
                "Reshape flat inputs with x.reshape(-1, 1, 28, 28).", nameof(x));
        var h = nn.functional.relu(conv2.call(nn.functional.relu(conv1.call(x)))).flatten(1);
        return (toMean.call(h), toLogVar.call(h));
    }

    public Tensor Decode(Tensor z)
    {
        var h = nn.functional.relu(fromZ.call(z)).reshape(-1, 2 * channels, 7, 7);
        return deconv2.call(nn.functional.relu(deconv1.call(h)));
    }

    public void SetOutputBias(double logit)
    {
        using var _ = torch.no_grad();
        deconv2.bias!.fill_(logit);
    }

    public override VaeOutput forward(Tensor x)
    {
        var (mean, logVar) = Encode(x);
        var z = Gaussian.Reparameterize(mean, logVar);
        return new VaeOutput(Decode(z), mean, logVar, z);
    }
}
