using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Nn.Batched;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// K Gaussian VAEs of one architecture, trained together: every input and output carries the members in a leading
/// dimension. <see cref="BatchedCollapseConvVae"/> and <see cref="BatchedMlpVae"/> hold K members as stacked
/// parameters; <see cref="VaeMembers.One"/> wraps a single plain model as K = 1.
/// </summary>
public interface IVaeMembers
{
    /// <summary>K.</summary>
    int Members { get; }
    /// <summary>Latent dimension D of every member.</summary>
    int LatentDim { get; }
    /// <summary>The module whose parameters are trained (and which eval()/train() switch).</summary>
    nn.Module Module { get; }
    /// <summary>Encoders: x K×N×1×28×28 → mean and log-variance of q(z|x), each K×N×D.</summary>
    (Tensor Mean, Tensor LogVar) Encode(Tensor x);
    /// <summary>Decoders: z K×N×D → pixel logits K×N×1×28×28.</summary>
    Tensor Decode(Tensor z);
    /// <summary>Copies a plain model's parameters into member <paramref name="member"/>.</summary>
    void Load(int member, nn.Module plain);
    /// <summary>Copies member <paramref name="member"/>'s parameters into a plain model.</summary>
    void Store(int member, nn.Module plain);
}

public static class VaeMembers
{
    /// <summary>One plain model as K = 1 (its own parameters, trained in place).</summary>
    public static IVaeMembers One<TModel>(TModel model) where TModel : nn.Module, IGaussianVae => new Single<TModel>(model);

    /// <summary>K members of <paramref name="plain"/>'s architecture as stacked parameters (parameters left at their
    /// own init: load each member with <see cref="IVaeMembers.Load"/>).</summary>
    public static IVaeMembers Batched(IGaussianVae plain, int members) => plain switch
    {
        CollapseConvVae conv => new BatchedCollapseConvVae(members, conv.LatentDim, conv.Channels),
        MlpVae mlp => new BatchedMlpVae(members, mlp.EncoderHidden.ToArray(), mlp.LatentDim, mlp.DecoderHidden.ToArray(), mlp.ImageShape),
        _ => throw new NotSupportedException($"No batched form of {plain.GetType().Name}: train its runs one at a time (CollapseConfig.BatchedMembers = 1)."),
    };

    sealed class Single<TModel>(TModel model) : IVaeMembers where TModel : nn.Module, IGaussianVae
    {
        public int Members => 1;
        public int LatentDim => model.LatentDim;
        public nn.Module Module => model;

        public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
        {
            var (mean, logVar) = model.Encode(x.squeeze(0));
            return (mean.unsqueeze(0), logVar.unsqueeze(0));
        }

        public Tensor Decode(Tensor z) => model.Decode(z.squeeze(0)).unsqueeze(0);

        public void Load(int member, nn.Module plain) => Copy(plain, model, member);
        public void Store(int member, nn.Module plain) => Copy(model, plain, member);

        static void Copy(nn.Module from, nn.Module to, int member)
        {
            if (member != 0) throw new ArgumentOutOfRangeException(nameof(member), member, "A single model has member 0 only.");
            if (ReferenceEquals(from, to)) return;
            to.load_state_dict(from.state_dict());
        }
    }
}
