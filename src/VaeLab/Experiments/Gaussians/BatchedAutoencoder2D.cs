using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Nn.Batched;

namespace VaeLab.Experiments.Gaussians;

/// <summary>
/// K <see cref="Autoencoder2D"/>s as one module: every linear layer a <see cref="BatchedLinear"/> named as the plain
/// model's, so member k computes what a plain model holding its parameters computes (up to float32 summation order).
/// x K×B×d → code K×B×bottleneck and reconstruction K×B×d.
/// </summary>
public sealed class BatchedAutoencoder2D : nn.Module<Tensor, AutoencoderOutput>
{
    readonly BatchedLinear inputHidden, hiddenCode, codeHidden, hiddenOutput;

    public int Members { get; }

    /// <summary>K members of <paramref name="plain"/>'s sizes, each at nn.Linear's default init (load them with <see cref="Load"/>).</summary>
    public BatchedAutoencoder2D(int members, Autoencoder2D plain) : base(nameof(BatchedAutoencoder2D))
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "members must be ≥ 1.");
        Members = members;
        inputHidden = new BatchedLinear(members, plain.InputSize, plain.HiddenSize);
        hiddenCode = new BatchedLinear(members, plain.HiddenSize, plain.LatentDim);
        codeHidden = new BatchedLinear(members, plain.LatentDim, plain.HiddenSize);
        hiddenOutput = new BatchedLinear(members, plain.HiddenSize, plain.InputSize);
        RegisterComponents();
    }

    public override AutoencoderOutput forward(Tensor x)
    {
        var code = hiddenCode.call(nn.functional.relu(inputHidden.call(x)));
        return new AutoencoderOutput(code, hiddenOutput.call(nn.functional.relu(codeHidden.call(code))));
    }

    /// <summary>Copies <paramref name="plain"/>'s parameters into member <paramref name="member"/>.</summary>
    public void Load(int member, Autoencoder2D plain) => Nn.Batched.Members.Load(this, member, plain);
    /// <summary>Copies member <paramref name="member"/>'s parameters into <paramref name="plain"/>.</summary>
    public void Store(int member, Autoencoder2D plain) => Nn.Batched.Members.Store(this, member, plain);
}
