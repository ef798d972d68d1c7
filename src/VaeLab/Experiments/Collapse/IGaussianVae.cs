using static TorchSharp.torch;

namespace VaeLab.Experiments.Collapse;

/// <summary>A VAE with a Gaussian encoder q(z|x) and a decoder from z to pixel logits: what the collapse trainer and
/// sweep train (<see cref="CollapseConvVae"/>, <see cref="MlpVae"/>).</summary>
public interface IGaussianVae
{
    /// <summary>Latent dimension D.</summary>
    int LatentDim { get; }
    /// <summary>Encoder: mean and log-variance of q(z|x), each N×D.</summary>
    (Tensor Mean, Tensor LogVar) Encode(Tensor x);
    /// <summary>Decoder: pixel logits N×1×28×28 from z (N×D).</summary>
    Tensor Decode(Tensor z);
    /// <summary>Sets every bias of the decoder's output layer to <paramref name="logit"/> (a data-dependent start).</summary>
    void SetOutputBias(double logit);
}
