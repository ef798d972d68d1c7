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

    /// <summary>Unbiased MMD² between codes and as many fresh N(0, std²·I) samples, drawn from <paramref name="seed"/>
    /// when given, else with torch's global generator.</summary>
    public static double Mmd2ToGaussian(Tensor codes, double std, double bandwidth, int? seed = null)
    {
        using var _ = torch.NewDisposeScope();
        using var g = seed is int s ? new torch.Generator(unchecked((ulong)s + 7_919)) : null;
        var prior = torch.randn(codes.shape[0], codes.shape[1], dtype: ScalarType.Float64, generator: g) * std;
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
    /// <summary>
    /// Accuracy of the best possible classifier between N(0, stdA²·I_d) and N(0, stdB²·I_d) with equal priors:
    /// ½ + ½·TV. The densities cross on the sphere r² = 2d·ln(stdB/stdA) / (1/stdA² − 1/stdB²), and
    /// TV = P(χ²_d ≤ r²/stdA²) − P(χ²_d ≤ r²/stdB²) (for stdA &lt; stdB; symmetric). In 2-D, 5 against 6 gives 0.567.
    /// </summary>
    public static double BestAccuracyBetweenGaussians(double stdA, double stdB, int dim)
    {
        if (stdA <= 0 || stdB <= 0) throw new ArgumentOutOfRangeException(nameof(stdA), "Both standard deviations must be > 0.");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be ≥ 1.");
        if (stdA == stdB) return 0.5;
        double lo = Math.Min(stdA, stdB), hi = Math.Max(stdA, stdB);
        double r2 = 2 * dim * Math.Log(hi / lo) / (1 / (lo * lo) - 1 / (hi * hi));
        double tv = ChiSquareCdf(r2 / (lo * lo), dim) - ChiSquareCdf(r2 / (hi * hi), dim);
        return 0.5 + 0.5 * tv;
    }

    /// <summary>P(χ²_k ≤ x): the regularized lower incomplete gamma P(k/2, x/2), by its power series.</summary>
    public static double ChiSquareCdf(double x, int k)
    {
        if (x <= 0) return 0;
        double a = k / 2.0, h = x / 2;
        // P(a, h) = h^a e^{−h} / Γ(a+1) · Σ_n h^n / ((a+1)…(a+n)).
        double term = 1, sum = 1;
        for (int n = 1; n < 10_000; n++)
        {
            term *= h / (a + n);
            sum += term;
            if (term < sum * 1e-16) break;
        }
        return Math.Min(1, Math.Exp(a * Math.Log(h) - h - LogGamma(a + 1)) * sum);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15).</summary>
    static double LogGamma(double x)
    {
        double[] c = { 0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
                       12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7 };
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double s = c[0];
        for (int i = 1; i < 9; i++) s += c[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(s);
    }
}
