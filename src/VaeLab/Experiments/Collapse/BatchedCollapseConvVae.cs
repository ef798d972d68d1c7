using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Nn.Batched;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// K <see cref="CollapseConvVae"/>s as one module: grouped convolutions (members in the channel dimension) and batched
/// matrix products, so that one forward and backward pass trains all K. Layers are named as the plain model's, and
/// member k computes exactly what a plain model holding its parameters computes (up to float32 summation order).
/// </summary>
public sealed class BatchedCollapseConvVae : nn.Module<Tensor, Tensor>, IVaeMembers
{
    readonly BatchedConv2d conv1, conv2;
    readonly BatchedLinear toMean, toLogVar, fromZ;
    readonly BatchedConvTranspose2d deconv1, deconv2;
    readonly int channels;

    public int Members { get; }
    public int LatentDim { get; }
    public nn.Module Module => this;

    public BatchedCollapseConvVae(int members, int latentDim = 10, int channels = 32) : base(nameof(BatchedCollapseConvVae))
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "members must be ≥ 1.");
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be ≥ 1.");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be ≥ 1.");
        Members = members; LatentDim = latentDim; this.channels = channels;
        int flat = 2 * channels * 7 * 7;
        conv1 = new BatchedConv2d(members, 1, channels, 4, stride: 2, padding: 1);
        conv2 = new BatchedConv2d(members, channels, 2 * channels, 4, stride: 2, padding: 1);
        toMean = new BatchedLinear(members, flat, latentDim);
        toLogVar = new BatchedLinear(members, flat, latentDim);
        fromZ = new BatchedLinear(members, latentDim, flat);
        deconv1 = new BatchedConvTranspose2d(members, 2 * channels, channels, 4, stride: 2, padding: 1);
        deconv2 = new BatchedConvTranspose2d(members, channels, 1, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        if (x.dim() != 5 || x.shape[0] != Members || x.shape[2] != 1 || x.shape[3] != 28 || x.shape[4] != 28)
            throw new ArgumentException($"BatchedCollapseConvVae expects images K×N×1×28×28 with K = {Members}; got [{string.Join(",", x.shape)}].", nameof(x));
        long n = x.shape[1];
        var h = x.squeeze(2).transpose(0, 1);                                           // N×K×28×28: member k is channel k
        h = nn.functional.relu(conv2.call(nn.functional.relu(conv1.call(h))));        // N×(K·2C)×7×7
        h = h.reshape(n, Members, -1).transpose(0, 1);                                  // K×N×(2C·49), each member's flatten
        return (toMean.call(h), toLogVar.call(h));
    }

    public Tensor Decode(Tensor z)
    {
        long n = z.shape[1];
        var h = nn.functional.relu(fromZ.call(z)).transpose(0, 1).reshape(n, Members * 2 * channels, 7, 7);
        h = deconv2.call(nn.functional.relu(deconv1.call(h)));                         // N×K×28×28
        return h.transpose(0, 1).unsqueeze(2);
    }

    public void Load(int member, nn.Module plain) => Nn.Batched.Members.Load(this, member, plain);
    public void Store(int member, nn.Module plain) => Nn.Batched.Members.Store(this, member, plain);

    /// <summary>The members' logits from z ~ q(z|x) with the global generator's noise (use the trainer for
    /// reproducible noise per member).</summary>
    public override Tensor forward(Tensor x)
    {
        var (mean, logVar) = Encode(x);
        return Decode(Gaussian.Reparameterize(mean, logVar));
    }
}
