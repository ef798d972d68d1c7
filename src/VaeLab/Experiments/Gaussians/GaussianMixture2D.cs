using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.Gaussians;

/// <summary>Points and the cluster each came from.</summary>
public sealed record LabeledPoints(Tensor Points, Tensor Labels);

/// <summary>
/// Notebook 01's data ("two Gaussians in 2D"): an equal mixture of two isotropic 2-D Gaussians.
/// Defaults: means (−2, −2) and (2, 2), standard deviation 1. The means are 4√2 ≈ 5.7 standard deviations apart,
/// so the clusters are clearly separate (a point lands on the wrong side of the midline with probability
/// Φ(−2√2) ≈ 0.2 %) yet close enough that a 1-D bottleneck must place both on one curve.
/// Cluster sizes are exactly balanced, not Bernoulli(0.5): point i belongs to cluster i mod 2, so any prefix
/// (Take) is balanced too. Sampling uses a private generator seeded with <c>seed</c>; the global RNG is untouched.
/// </summary>
public static class GaussianMixture2D
{
    public static readonly (float X, float Y) DefaultMean0 = (-2f, -2f);
    public static readonly (float X, float Y) DefaultMean1 = (2f, 2f);
    public const float DefaultStd = 1f;

    /// <summary>N×2 float32 points (see <see cref="SampleLabeled"/> for their clusters).</summary>
    public static Tensor Sample(int n, int seed, (float X, float Y)? mean0 = null, (float X, float Y)? mean1 = null, float std = DefaultStd)
    {
        var labeled = SampleLabeled(n, seed, mean0, mean1, std);
        labeled.Labels.Dispose();
        return labeled.Points;
    }

    /// <summary>N×2 float32 points and int64 cluster labels (0 or 1, alternating). Same points as
    /// <see cref="Sample"/> for the same arguments.</summary>
    public static LabeledPoints SampleLabeled(int n, int seed, (float X, float Y)? mean0 = null, (float X, float Y)? mean1 = null, float std = DefaultStd)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of points must be ≥ 0.");
        if (!(std > 0) || float.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be positive and finite.");
        var m0 = mean0 ?? DefaultMean0;
        var m1 = mean1 ?? DefaultMean1;

        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(unchecked((ulong)seed));
        var noise = torch.randn(new long[] { n, 2 }, dtype: ScalarType.Float32, generator: generator);
        var labels = torch.arange(n, dtype: ScalarType.Int64).remainder(2);
        var means = torch.tensor(new[] { m0.X, m0.Y, m1.X, m1.Y }, new long[] { 2, 2 });
        var points = noise.mul(std).add(means.index_select(0, labels));
        return new LabeledPoints(points.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The exact log-density of the mixture at each of <paramref name="points"/> (N×2), in nats, float64:
    /// log(½ N(x; m₀, s²I) + ½ N(x; m₁, s²I)), computed with log-sum-exp so that points far from both means stay finite.
    /// Same defaults as <see cref="Sample"/>.
    /// </summary>
    public static Tensor LogDensity(Tensor points, (float X, float Y)? mean0 = null, (float X, float Y)? mean1 = null, float std = DefaultStd)
    {
        if (points.dim() != 2 || points.shape[1] != 2)
            throw new ArgumentException($"points must be N×2; got [{string.Join(",", points.shape)}].", nameof(points));
        if (!(std > 0) || float.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be positive and finite.");
        var m0 = mean0 ?? DefaultMean0;
        var m1 = mean1 ?? DefaultMean1;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = points.detach().cpu().to_type(ScalarType.Float64);
        var means = torch.tensor(new double[] { m0.X, m0.Y, m1.X, m1.Y }, new long[] { 2, 2 });
        double s2 = (double)std * std;
        // log N(x; m, s²I) in 2-D = −log(2π s²) − ‖x − m‖² / (2 s²); each component weighs ½.
        var sq = (x.unsqueeze(1) - means.unsqueeze(0)).square().sum(-1);                  // N×2
        var logComponents = -sq / (2 * s2) - Math.Log(2 * Math.PI * s2) + Math.Log(0.5);
        return torch.logsumexp(logComponents, 1).MoveToOuterDisposeScope();
    }
}
