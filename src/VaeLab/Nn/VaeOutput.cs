using static TorchSharp.torch;

namespace VaeLab.Nn;

/// <summary>
/// What a Gaussian-latent VAE returns: decoder <see cref="Logits"/> (shaped like the input), the encoder's
/// <see cref="Mean"/> and <see cref="LogVar"/> (N×D) and the reparameterised sample <see cref="Z"/> (N×D).
/// </summary>
public sealed record VaeOutput(Tensor Logits, Tensor Mean, Tensor LogVar, Tensor Z);
