using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// How close an AAE's aggregated posterior is to its prior: per-dimension standard deviation and an unbiased MMD²
/// with a closed form for Gaussian pairs (to state bounds before measuring). VaeLab.Losses.Mmd is the training-time
/// regulariser (biased V-statistic, kernel exp(−‖·‖²/scale)); here the U-statistic has expectation 0 under equal
/// distributions, which the claims' closed-form bound needs.
/// </summary>
public static class AaeMetrics
{
    const int Block = 1000;

    /// <summary>Standard deviation of each column of codes (N×d), as doubles.</summary>
    public static double[] StdPerDimension(Tensor codes)
    {
        using var _ = torch.NewDisposeScope();
        return codes.detach().cpu().to_type(ScalarType.Float64).std(0).data<double>().ToArray();
    }

    /// <summary>
    /// Unbiased MMD² (U-statistic: pairs of a sample with itself left out) between samples x (N×d) and y (M×d)
    /// under the Gaussian kernel k(a, b) = exp(−‖a − b‖² / (2·bandwidth²)). One number for the two samples; its
    /// expectation is 0 when they come from the same distribution, so it can be slightly negative.
    /// </summary>
    public static double Mmd2(Tensor x, Tensor y, double bandwidth)
    {
        if (x.dim() != 2 || y.dim() != 2 || x.shape[1] != y.shape[1])
            throw new ArgumentException($"MMD needs two samples N×d and M×d of the same d; got [{string.Join(",", x.shape)}] and [{string.Join(",", y.shape)}].");
        if (x.shape[0] < 2 || y.shape[0] < 2) throw new ArgumentException("MMD needs at least two points in each sample.");
        if (!(bandwidth > 0)) throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "bandwidth must be > 0.");
        using var _ = torch.NewDisposeScope();
        var a = x.detach().cpu().to_type(ScalarType.Float64);
        var b = y.detach().cpu().to_type(ScalarType.Float64);
        double n = a.shape[0], m = b.shape[0];
        // The self sums include the n diagonal terms k(a, a) = 1; the U-statistic drops them.
        double xx = (KernelSum(a, a, bandwidth) - n) / (n * (n - 1));
        double yy = (KernelSum(b, b, bandwidth) - m) / (m * (m - 1));
        double xy = KernelSum(a, b, bandwidth) / (n * m);
        return xx + yy - 2 * xy;
    }

    /// <summary>Unbiased MMD² between codes and as many fresh N(0, std²·I) samples (drawn with torch's global generator).</summary>
    public static double Mmd2ToGaussian(Tensor codes, double std, double bandwidth)
    {
        using var _ = torch.NewDisposeScope();
        var prior = torch.randn(codes.shape[0], codes.shape[1], dtype: ScalarType.Float64) * std;
        return Mmd2(codes, prior, bandwidth);
    }

    /// <summary>
    /// Closed-form MMD² between N(0, a²·I_d) and N(0, b²·I_d) under the kernel above, from
    /// E k = (h² / (h² + s₁² + s₂²))^(d/2) for independent draws with standard deviations s₁, s₂.
    /// </summary>
    public static double GaussianMmd2(double stdA, double stdB, double bandwidth, int dim)
    {
        double h2 = bandwidth * bandwidth;
        double E(double s1, double s2) => Math.Pow(h2 / (h2 + s1 * s1 + s2 * s2), dim / 2.0);
        return E(stdA, stdA) + E(stdB, stdB) - 2 * E(stdA, stdB);
    }

    static double KernelSum(Tensor a, Tensor b, double bandwidth)
    {
        double total = 0;
        var bSq = b.square().sum(1).unsqueeze(0);
        for (long s = 0; s < a.shape[0]; s += Block)
        {
            using var scope = torch.NewDisposeScope();
            var rows = a.narrow(0, s, Math.Min(Block, a.shape[0] - s));
            var d2 = (rows.square().sum(1, keepdim: true) + bSq - 2 * rows.matmul(b.t())).clamp_min(0);
            total += (-d2 / (2 * bandwidth * bandwidth)).exp().sum().item<double>();
        }
        return total;
    }
}
