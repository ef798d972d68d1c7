using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The adversarial autoencoder's losses, written on discriminator probabilities as in the document. Each takes
/// D's outputs (one probability per example, N or N×1) and returns the mean over the batch (there is no
/// dimension to sum over). <paramref name="tiny"/> is the document's TINY, keeping log finite when D saturates.
/// </summary>
public static class Adversarial
{
    /// <summary>The document's TINY.</summary>
    public const double Tiny = 1e-15;

    /// <summary>
    /// Discriminator loss −[mean log(D(real) + tiny) + mean log(1 − D(fake) + tiny)]. Mean over the batch; with equal
    /// real and fake batch sizes it is the document's −mean(log(D(real)+TINY) + log(1 − D(fake)+TINY)).
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake, double tiny = Tiny)
        => -((dReal + tiny).log().mean() + (1 - dFake + tiny).log().mean());

    /// <summary>Generator (encoder) loss −mean log(D(Q(x)) + tiny): the non-saturating GAN loss. Mean over the batch.</summary>
    public static Tensor GeneratorLoss(Tensor dFake, double tiny = Tiny)
        => -(dFake + tiny).log().mean();

    /// <summary>
    /// Accuracy of D at telling prior samples (D &gt; ½ means "real") from codes (D ≤ ½ means "fake"), averaged
    /// over the two sets so that unequal sizes weigh equally; a scalar tensor. ½ is chance.
    /// </summary>
    public static Tensor Accuracy(Tensor dReal, Tensor dFake)
        => 0.5 * ((dReal > 0.5).to_type(ScalarType.Float32).mean() + (dFake <= 0.5).to_type(ScalarType.Float32).mean());
}
