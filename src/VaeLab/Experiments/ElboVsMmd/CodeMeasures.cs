using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;
using VaeLab.Training;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>
/// Notebook 02's measures of the test codes, one call each from a trained model, so that every seed of a run is
/// measured alike: the codes themselves, their per-dimension fit to the prior N(0, 1), and how far apart the classes
/// lie in them.
/// </summary>
public static class CodeMeasures
{
    /// <summary>The ELBO VAE's codes of <paramref name="images"/>: its posterior means, N×latent on the CPU.</summary>
    public static Tensor Codes(ConvVae model, Tensor images) => Inference.Map(model, x => model.Encode(x).Mean, images);

    /// <summary>The MMD-VAE's codes of <paramref name="images"/>, N×latent on the CPU.</summary>
    public static Tensor Codes(MmdVae model, Tensor images) => Inference.Map(model, x => model.Encode(x), images);

    /// <summary>
    /// The largest, over latent dimensions, of the one-sample Kolmogorov–Smirnov D of the codes' marginal against
    /// N(0, 1). A test neither model was trained on (the MMD-VAE minimises an MMD under one Gaussian kernel; the ELBO
    /// VAE a KL per code): it compares whole distribution functions, tails and shape included.
    /// </summary>
    public static double PriorKs(Tensor codes) => KolmogorovSmirnov.PerDimensionAgainstStandardNormal(codes).Max;

    /// <summary>Class separation in the codes: Fisher's tr(S_b)/tr(S_w) (<see cref="ClassSeparation.FisherRatio"/>).</summary>
    public static double Separation(Tensor codes, Tensor labels) => ClassSeparation.FisherRatio(codes, labels);
}
