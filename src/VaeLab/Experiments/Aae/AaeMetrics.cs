using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// How close an AAE's aggregated posterior is to its prior: per-dimension standard deviation and an unbiased MMD²
/// with a closed form for Gaussian pairs (to state bounds before measuring). VaeLab.Losses.Mmd is the training-time
/// regulariser (biased V-statistic, kernel exp(−‖·‖²/scale)); here the U-statistic has expectation 0 under equal
/// distributions, which the claims' closed-form bound needs.
/// </summary>
public static class AaeMetrics
{

    /// <summary>Standard deviation of each column of codes (N×d), as doubles.</summary>
    public static double[] StdPerDimension(Tensor codes)
    {
        using var _ = torch.NewDisposeScope();
        return codes.detach().cpu().to_type(ScalarType.Float64).std(0).data<double>().ToArray();
    }

    /// <summary>Unbiased MMD² between codes and as many fresh N(0, std²·I) samples (drawn with torch's global generator).</summary>
    public static double Mmd2ToGaussian(Tensor codes, double std, double bandwidth)
    {
        using var _ = torch.NewDisposeScope();
        var prior = torch.randn(codes.shape[0], codes.shape[1], dtype: ScalarType.Float64) * std;
        return PointClouds.MmdSquared(codes, prior, bandwidth);
    }

    /// <summary>
    /// Closed-form MMD² between N(0, a²·I_d) and N(0, b²·I_d) under <see cref="PointClouds.MmdSquared"/>'s kernel exp(−‖a − b‖² / (2·bandwidth²)), from
    /// E k = (h² / (h² + s₁² + s₂²))^(d/2) for independent draws with standard deviations s₁, s₂.
    /// </summary>
    public static double GaussianMmd2(double stdA, double stdB, double bandwidth, int dim)
    {
        double h2 = bandwidth * bandwidth;
        double E(double s1, double s2) => Math.Pow(h2 / (h2 + s1 * s1 + s2 * s2), dim / 2.0);
        return E(stdA, stdA) + E(stdB, stdB) - 2 * E(stdA, stdB);
    }
}
