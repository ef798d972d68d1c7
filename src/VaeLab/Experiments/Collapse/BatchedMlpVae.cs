using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Nn.Batched;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// K <see cref="MlpVae"/>s as one module: every linear layer a <see cref="BatchedLinear"/> (one batched matrix product
/// for all members), named as the plain model's layers, so member k computes what a plain model holding its
/// parameters computes (up to float32 summation order).
/// </summary>
public sealed class BatchedMlpVae : nn.Module<Tensor, Tensor>, IVaeMembers
{
    readonly Sequential encoder, decoder;
    readonly BatchedLinear toMean, toLogVar;
    readonly long[] imageShape;
    readonly int inputDim;

    public int Members { get; }
    public int LatentDim { get; }
    public nn.Module Module => this;

    public BatchedMlpVae(int members, int[] encoderHidden, int latentDim, int[]? decoderHidden = null, IReadOnlyList<long>? imageShape = null)
        : base(nameof(BatchedMlpVae))
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "members must be ≥ 1.");
        if (encoderHidden is null || encoderHidden.Length == 0 || encoderHidden.Any(h => h < 1))
            throw new ArgumentException("encoderHidden needs at least one layer width, each ≥ 1.", nameof(encoderHidden));
        decoderHidden ??= Enumerable.Reverse(encoderHidden).ToArray();
        Members = members; LatentDim = latentDim;
        this.imageShape = (imageShape ?? [1, 28, 28]).ToArray();
        inputDim = (int)this.imageShape.Aggregate(1L, (a, b) => a * b);
        encoder = Stack(members, inputDim, encoderHidden);
        toMean = new BatchedLinear(members, encoderHidden[^1], latentDim);
        toLogVar = new BatchedLinear(members, encoderHidden[^1], latentDim);
        decoder = Stack(members, latentDim, decoderHidden);
        decoder.append("logits", new BatchedLinear(members, decoderHidden[^1], inputDim));
        RegisterComponents();
    }

    static Sequential Stack(int members, int input, int[] widths)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = input;
        for (int i = 0; i < widths.Length; i++)
        {
            layers.Add(($"linear{i}", new BatchedLinear(members, width, widths[i])));
            layers.Add(($"relu{i}", nn.ReLU()));
            width = widths[i];
        }
        return nn.Sequential(layers);
    }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        if (x.dim() < 2 || x.shape[0] != Members || x.numel() != x.shape[0] * x.shape[1] * inputDim)
            throw new ArgumentException($"BatchedMlpVae expects K×N×{string.Join("×", imageShape)} inputs with K = {Members}; got " +
                $"[{string.Join(",", x.shape)}].", nameof(x));
        var h = encoder.call(x.reshape(Members, x.shape[1], inputDim));
        return (toMean.call(h), toLogVar.call(h));
    }

    public Tensor Decode(Tensor z) => decoder.call(z).reshape(new long[] { Members, z.shape[1] }.Concat(imageShape).ToArray());

    public void Load(int member, nn.Module plain) => Nn.Batched.Members.Load(this, member, plain);
    public void Store(int member, nn.Module plain) => Nn.Batched.Members.Store(this, member, plain);

    /// <summary>The members' logits from z ~ q(z|x) with the global generator's noise.</summary>
    public override Tensor forward(Tensor x)
    {
        var (mean, logVar) = Encode(x);
        return Decode(Gaussian.Reparameterize(mean, logVar));
    }
}
