using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Nn.Batched;

namespace VaeLab.Experiments.Gaussians;

/// <summary>
/// K <see cref="GaussianVae"/>s as one module: every linear layer a <see cref="BatchedLinear"/> named as the plain
/// model's, so member k computes what a plain model holding its parameters computes (up to float32 summation order).
/// Inputs and outputs carry the members in a leading dimension: x K×B×d_x, and each tensor of the
/// <see cref="GaussianVaeOutput"/> has K in front of the plain model's shape.
/// </summary>
public sealed class BatchedGaussianVae : nn.Module<Tensor, GaussianVaeOutput>
{
    readonly BatchedLinear inputHidden, hiddenPosterior, latentHidden, hiddenLikelihood;

    public int Members { get; }
    public int LatentDim { get; }
    public int SamplesZ { get; }

    /// <summary>K members of <paramref name="plain"/>'s sizes, each at nn.Linear's default init (load them with <see cref="Load"/>).</summary>
    public BatchedGaussianVae(int members, GaussianVae plain) : base(nameof(BatchedGaussianVae))
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "members must be ≥ 1.");
        Members = members; LatentDim = plain.LatentDim; SamplesZ = plain.SamplesZ;
        int hidden = plain.HiddenSize;
        inputHidden = new BatchedLinear(members, plain.InputSize, hidden);
        hiddenPosterior = new BatchedLinear(members, hidden, 2 * LatentDim);
        latentHidden = new BatchedLinear(members, LatentDim, hidden);
        hiddenLikelihood = new BatchedLinear(members, hidden, 2 * plain.InputSize);
        RegisterComponents();
    }

    /// <summary>q(z|x) of every member: x K×B×d_x → mean and log-variance, each K×B×d_z.</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        var chunks = hiddenPosterior.call(nn.functional.relu(inputHidden.call(x))).chunk(2, -1);
        return (chunks[0], chunks[1]);
    }

    /// <summary>p(x|z) of every member: z K×…×d_z → mean and log-variance, each K×…×d_x.</summary>
    public (Tensor Mean, Tensor LogVar) Decode(Tensor z)
    {
        var rows = z.reshape(Members, -1, z.shape[^1]);
        var chunks = hiddenLikelihood.call(nn.functional.relu(latentHidden.call(rows))).chunk(2, -1);
        var shape = z.shape[..^1].Append(chunks[0].shape[^1]).ToArray();
        return (chunks[0].reshape(shape), chunks[1].reshape(shape));
    }

    /// <summary>The outputs with z drawn from the global generator.</summary>
    public override GaussianVaeOutput forward(Tensor x) =>
        Forward(x, torch.randn(new[] { Members, x.shape[1], SamplesZ, LatentDim }, device: x.device));

    /// <summary>The outputs with z = μ + σ·<paramref name="eps"/> (eps K×B×n_z×d_z), as <see cref="GaussianVae.Forward"/> per member.</summary>
    public GaussianVaeOutput Forward(Tensor x, Tensor eps)
    {
        var (zMean, zLogVar) = Encode(x);
        var z = zMean.unsqueeze(2) + (0.5 * zLogVar).exp().unsqueeze(2) * eps;
        var (xMean, xLogVar) = Decode(z);
        return new GaussianVaeOutput(zMean, zLogVar, z, xMean, xLogVar);
    }

    /// <summary>Copies <paramref name="plain"/>'s parameters into member <paramref name="member"/>.</summary>
    public void Load(int member, GaussianVae plain) => Nn.Batched.Members.Load(this, member, plain);
    /// <summary>Copies member <paramref name="member"/>'s parameters into <paramref name="plain"/>.</summary>
    public void Store(int member, GaussianVae plain) => Nn.Batched.Members.Store(this, member, plain);
}
