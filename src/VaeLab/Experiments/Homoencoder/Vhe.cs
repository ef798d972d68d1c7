using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>
/// One pass of a <see cref="Vhe"/>. Gaussians are parameterised by mean and log standard deviation, as in the
/// document (the loss converts to log-variance: logVar = 2·logStd).
/// </summary>
/// <param name="Logits">Decoder logits, N×784 (the document's sigmoid output is sigmoid(Logits)).</param>
/// <param name="CMean">Mean of q(c|D), N×code, averaged over the set D of each example.</param>
/// <param name="CLogStd">Log-std of q(c|D), N×code, averaged over D.</param>
/// <param name="C">A sample of c, N×code.</param>
/// <param name="ZMean">Mean of q(z|x,c), N×code.</param>
/// <param name="ZLogStd">Log-std of q(z|x,c), N×code.</param>
/// <param name="Z">A sample of z, N×code.</param>
/// <param name="PriorZMean">Mean of the learned prior p(z|c), N×code.</param>
/// <param name="PriorZLogStd">Log-std of p(z|c), N×code.</param>
public sealed record VheOutput(Tensor Logits, Tensor CMean, Tensor CLogStd, Tensor C, Tensor ZMean, Tensor ZLogStd, Tensor Z,
                               Tensor PriorZMean, Tensor PriorZLogStd);

/// <summary>
/// Variational homoencoder (Hewitt et al. 2018) as in the document's code: every distribution parameter is its own
/// MLP (input → hidden → code, ReLU). q(c|D) encodes each member of D and averages mean and log-std over D;
/// q(z|x,c) sees [x, c]; p(z|c) is learned; p(c) = N(0, I); the decoder maps [z, c] to 784 logits.
/// </summary>
public sealed class Vhe : nn.Module<Tensor, Tensor, VheOutput>
{
    readonly Sequential encodeCMean, encodeCLogStd, encodeZMean, encodeZLogStd, priorZMean, priorZLogStd, decode;

    public int LatentDim { get; }
    public int Pixels { get; }

    /// <param name="latentDim">Length of c and of z (the document's code_len, one for both).</param>
    /// <param name="hidden">Hidden units of every MLP (512 in the document).</param>
    /// <param name="pixels">Flattened image size (28·28).</param>
    public Vhe(int latentDim, int hidden = 512, int pixels = 28 * 28) : base(nameof(Vhe))
    {
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "latentDim must be ≥ 1.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "hidden must be ≥ 1.");
        LatentDim = latentDim;
        Pixels = pixels;
        encodeCMean = Mlp(pixels, hidden, latentDim);
        encodeCLogStd = Mlp(pixels, hidden, latentDim);
        encodeZMean = Mlp(pixels + latentDim, hidden, latentDim);
        encodeZLogStd = Mlp(pixels + latentDim, hidden, latentDim);
        priorZMean = Mlp(latentDim, hidden, latentDim);
        priorZLogStd = Mlp(latentDim, hidden, latentDim);
        decode = Mlp(2 * latentDim, hidden, pixels);
        RegisterComponents();
    }

    internal static Sequential Mlp(int input, int hidden, int output) =>
        nn.Sequential(("fc1", nn.Linear(input, hidden)), ("relu", nn.ReLU()), ("fc2", nn.Linear(hidden, output)));

    /// <param name="x">The examples, N×784 or N×1×28×28, in [0,1].</param>
    /// <param name="set">For each example its set D, N×|D|×784 or N×|D|×1×28×28, drawn from x's (pseudo-)class.</param>
    public override VheOutput forward(Tensor x, Tensor set)
    {
        var flat = x.reshape(x.shape[0], -1);
        if (flat.shape[1] != Pixels) throw new ArgumentException($"Vhe expects {Pixels} pixels per example; x has shape " +
            $"[{string.Join(",", x.shape)}].", nameof(x));
        if (set.dim() < 3 || set.shape[0] != x.shape[0])
            throw new ArgumentException($"Vhe expects the sets as N×|D|×{Pixels} with N = {x.shape[0]}; got [{string.Join(",", set.shape)}]. Draw |D| " +
                $"examples per row of x.", nameof(set));
        var members = set.reshape(set.shape[0], set.shape[1], -1);
        if (members.shape[2] != Pixels) throw new ArgumentException($"Vhe expects {Pixels} pixels per set member; set has shape " +
            $"[{string.Join(",", set.shape)}].", nameof(set));

        // q(c|D): encode every member, average mean and log-std over D (dim 1).
        var cMean = encodeCMean.call(members).mean(new long[] { 1 });
        var cLogStd = encodeCLogStd.call(members).mean(new long[] { 1 });
        var c = Gaussian.Reparameterize(cMean, 2 * cLogStd);  // log-variance = 2 log σ

        var xc = torch.cat(new[] { flat, c }, 1);
        var zMean = encodeZMean.call(xc);
        var zLogStd = encodeZLogStd.call(xc);
        var z = Gaussian.Reparameterize(zMean, 2 * zLogStd);

        var logits = Decode(z, c);
        return new VheOutput(logits, cMean, cLogStd, c, zMean, zLogStd, z, priorZMean.call(c), priorZLogStd.call(c));
    }

    /// <summary>Decoder logits for codes z and c (N×code each), N×784.</summary>
    public Tensor Decode(Tensor z, Tensor c) => decode.call(torch.cat(new[] { z, c }, 1));
}
