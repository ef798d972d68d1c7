using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;

namespace VaeLab.Experiments.Gaussians;

/// <summary>Generated points (N×2, CPU), their density-profile distance to the data and their mean log data-density.</summary>
public sealed record GeneratedDensity(Tensor Points, double Distance, double MeanLogDensity);

/// <summary>
/// Whether generated points lie where the data lies, judged with the data's exact density
/// (<see cref="GaussianMixture2D.LogDensity"/>): a generator that draws from the data distribution gives points whose
/// log-densities are distributed exactly as the data's own. The <i>density profile distance</i> is the two-sample
/// Kolmogorov–Smirnov D between the log-densities at the generated points and at independent data points: 0 for a
/// perfect generator (up to sampling noise), larger when the generated points sit too deep in the clusters (too
/// dense), between or outside them (too sparse), or both. A point cloud on a curve is not near 0 by construction: a
/// curve that passes through the clusters at the right distances would score near 0 too.
/// </summary>
public static class DensityProfile
{
    /// <summary>The two-sample KS D between the mixture's log-density at <paramref name="generated"/> and at
    /// <paramref name="data"/> (N×2 and M×2, independent of each other).</summary>
    public static double Distance(Tensor generated, Tensor data) =>
        KolmogorovSmirnov.TwoSample(LogDensities(generated), LogDensities(data));

    /// <summary>Mean log-density of the mixture at <paramref name="points"/>, nats (for the data itself this is
    /// −H, minus the mixture's entropy; higher means the points sit in denser places than the data does).</summary>
    public static double MeanLogDensity(Tensor points) => LogDensities(points).Average();

    /// <summary>The document's autoencoder "generation": <paramref name="inputs"/> encoded then decoded
    /// (<see cref="GaussiansTrainer.Reconstruct(Autoencoder2D, Tensor)"/>), scored against independent
    /// <paramref name="data"/>.</summary>
    public static GeneratedDensity OfAutoencoder(Autoencoder2D ae, Tensor inputs, Tensor data) =>
        Score(GaussiansTrainer.Reconstruct(ae, inputs), data);

    /// <summary>The same construction for the VAE, as the document's forward pass returns it: z ~ q(z|x), then
    /// x ~ p(x|z) (<see cref="GaussiansTrainer.Reconstruct(GaussianVae, Tensor)"/>'s Sample), scored against
    /// independent <paramref name="data"/>. Draws from torch's global generator.</summary>
    public static GeneratedDensity OfVae(GaussianVae vae, Tensor inputs, Tensor data)
    {
        var (mean, sample) = GaussiansTrainer.Reconstruct(vae, inputs);
        mean.Dispose();
        return Score(sample, data);
    }

    /// <summary><see cref="Distance"/> and <see cref="MeanLogDensity"/> of <paramref name="generated"/>, with the points.</summary>
    public static GeneratedDensity Score(Tensor generated, Tensor data) =>
        new(generated, Distance(generated, data), MeanLogDensity(generated));

    static double[] LogDensities(Tensor points)
    {
        using var logp = GaussianMixture2D.LogDensity(points);
        return logp.data<double>().ToArray();
    }
}
