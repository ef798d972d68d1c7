using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VaeLab.Nn.Batched;

/// <summary>
/// K independent linear layers trained as one: x K×N×in → K×N×out, one batched matrix product. Member k's weight
/// (out×in) and bias are <c>weight[k]</c> and <c>bias[k]</c>, laid out as a <see cref="Linear"/>'s, so that
/// <see cref="Members"/> copies them to and from plain layers.
/// </summary>
public sealed class BatchedLinear : nn.Module<Tensor, Tensor>
{
    public Parameter weight, bias;

    public BatchedLinear(int members, int inFeatures, int outFeatures) : base(nameof(BatchedLinear))
    {
        // nn.Linear's default init per member: U(−1/√in, 1/√in) for weight and bias.
        double bound = 1 / Math.Sqrt(inFeatures);
        weight = new Parameter(torch.empty(members, outFeatures, inFeatures).uniform_(-bound, bound));
        bias = new Parameter(torch.empty(members, outFeatures).uniform_(-bound, bound));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x.bmm(weight.transpose(1, 2)) + bias.unsqueeze(1);
}

/// <summary>
/// K independent 2-D convolutions as one grouped convolution. Input and output keep the members in the channel
/// dimension, member-major: N×(K·in)×H×W → N×(K·out)×H'×W' (member k's channels are k·C … (k+1)·C − 1), so a stack of
/// these needs no reshuffling between layers. Member k's weight and bias are its block of <c>weight</c> and
/// <c>bias</c>, laid out as a <see cref="Conv2d"/>'s.
/// </summary>
public sealed class BatchedConv2d : nn.Module<Tensor, Tensor>
{
    public Parameter weight, bias;
    readonly int members, stride, padding;

    public BatchedConv2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0) : base(nameof(BatchedConv2d))
    {
        this.members = members; this.stride = stride; this.padding = padding;
        double bound = 1 / Math.Sqrt(inChannels * kernel * kernel);  // nn.Conv2d's default init
        weight = new Parameter(torch.empty(members * outChannels, inChannels, kernel, kernel).uniform_(-bound, bound));
        bias = new Parameter(torch.empty(members * outChannels).uniform_(-bound, bound));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding], groups: members);
}

/// <summary>
/// K independent 2-D transposed convolutions as one grouped transposed convolution, members in the channel dimension as
/// in <see cref="BatchedConv2d"/>. Member k's weight (in×out×k×k, as a <see cref="ConvTranspose2d"/>'s) is rows
/// k·in … (k+1)·in − 1 of <c>weight</c>.
/// </summary>
public sealed class BatchedConvTranspose2d : nn.Module<Tensor, Tensor>
{
    public Parameter weight, bias;
    readonly int members, stride, padding;

    public BatchedConvTranspose2d(int members, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
        : base(nameof(BatchedConvTranspose2d))
    {
        this.members = members; this.stride = stride; this.padding = padding;
        double bound = 1 / Math.Sqrt(outChannels * kernel * kernel);  // nn.ConvTranspose2d's default init (fan-in of its weight's dim 1)
        weight = new Parameter(torch.empty(members * inChannels, outChannels, kernel, kernel).uniform_(-bound, bound));
        bias = new Parameter(torch.empty(members * outChannels).uniform_(-bound, bound));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.conv_transpose2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding], groups: members);
}

/// <summary>Copies members' parameters between a batched module and plain ones of the same structure.</summary>
public static class Members
{
    /// <summary>
    /// Number of members: every parameter of <paramref name="batched"/> holds K times the elements of the plain
    /// module's parameter of the same name.
    /// </summary>
    public static int Count(nn.Module batched, nn.Module plain)
    {
        var pairs = Pairs(batched, plain);
        var ks = pairs.Select(p => p.Batched.numel() / Math.Max(1, p.Plain.numel())).Distinct().ToList();
        if (ks.Count != 1 || pairs.Any(p => p.Batched.numel() != ks[0] * p.Plain.numel()))
            throw new ArgumentException($"{batched.GetName()} and {plain.GetName()} do not hold the same parameters K times over.", nameof(batched));
        return (int)ks[0];
    }

    /// <summary>Copies <paramref name="plain"/>'s parameters into member <paramref name="member"/> of <paramref name="batched"/>.</summary>
    public static void Load(nn.Module batched, int member, nn.Module plain)
    {
        int k = Count(batched, plain);
        CheckMember(member, k);
        using var _ = torch.no_grad();
        foreach (var (b, p) in Pairs(batched, plain))
            b.view(k, -1)[member].copy_(p.detach().reshape(-1).to(b.device));
    }

    /// <summary>Copies member <paramref name="member"/> of <paramref name="batched"/> into <paramref name="plain"/>'s parameters.</summary>
    public static void Store(nn.Module batched, int member, nn.Module plain)
    {
        int k = Count(batched, plain);
        CheckMember(member, k);
        using var _ = torch.no_grad();
        foreach (var (b, p) in Pairs(batched, plain))
            p.copy_(b.detach().view(k, -1)[member].reshape(p.shape).to(p.device));
    }

    static void CheckMember(int member, int k)
    {
        if (member < 0 || member >= k) throw new ArgumentOutOfRangeException(nameof(member), member, $"member must be in 0..{k - 1}.");
    }

    static List<(Tensor Batched, Tensor Plain)> Pairs(nn.Module batched, nn.Module plain)
    {
        var b = batched.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var pairs = new List<(Tensor, Tensor)>();
        foreach (var (name, p) in plain.named_parameters())
        {
            if (!b.Remove(name, out var t))
                throw new ArgumentException($"{batched.GetName()} has no parameter '{name}' of {plain.GetName()}: the batched module must name its layers as " +
                    $"the plain one does.", nameof(batched));
            pairs.Add((t, p));
        }
        if (b.Count > 0) throw new ArgumentException($"{batched.GetName()} has parameters {plain.GetName()} lacks: " +
            $"{string.Join(", ", b.Keys)}.", nameof(plain));
        return pairs;
    }
}
