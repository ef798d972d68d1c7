using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// Kolmogorov–Smirnov statistics: the largest vertical distance D between an empirical distribution function and a
/// reference one (one-sample), or between two empirical ones (two-sample). D is in [0, 1], 0 for identical
/// distribution functions; its sampling noise for n points from the reference itself is of order 1/√n.
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>
    /// One-sample D of <paramref name="sample"/> against the continuous distribution function <paramref name="cdf"/>:
    /// max over the sorted points x₍ᵢ₎ (i = 1…n) of max(i/n − F(x₍ᵢ₎), F(x₍ᵢ₎) − (i − 1)/n).
    /// </summary>
    public static double OneSample(IEnumerable<double> sample, Func<double, double> cdf)
    {
        var x = Sorted(sample, nameof(sample));
        double n = x.Length, d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = cdf(x[i]);
            d = Math.Max(d, Math.Max((i + 1) / n - f, f - i / n));
        }
        return d;
    }

    /// <summary>One-sample D against the standard normal N(0, 1).</summary>
    public static double AgainstStandardNormal(IEnumerable<double> sample) => OneSample(sample, StandardNormalCdf);

    /// <summary>
    /// For codes N×d: the one-sample D of each column against N(0, 1), and their maximum (a per-dimension test of
    /// the marginals against the standard normal prior; it does not see dependence between dimensions).
    /// </summary>
    public static (double Max, double[] PerDimension) PerDimensionAgainstStandardNormal(Tensor codes)
    {
        if (codes.dim() != 2 || codes.shape[0] < 1)
            throw new ArgumentException($"codes must be an N×d matrix with N ≥ 1; got [{string.Join(",", codes.shape)}].", nameof(codes));
        using var _ = torch.NewDisposeScope();
        var c = codes.detach().cpu().to_type(ScalarType.Float64).contiguous();
        long d = c.shape[1];
        var per = new double[d];
        for (long j = 0; j < d; j++)
            per[j] = AgainstStandardNormal(c[.., j].contiguous().data<double>().ToArray());
        return (per.Max(), per);
    }

    /// <summary>
    /// Two-sample D: max over all t of |F_a(t) − F_b(t)| for the two empirical distribution functions (ties handled:
    /// both functions step past a shared value before the distance is taken).
    /// </summary>
    public static double TwoSample(IEnumerable<double> a, IEnumerable<double> b)
    {
        var x = Sorted(a, nameof(a));
        var y = Sorted(b, nameof(b));
        double n = x.Length, m = y.Length, d = 0;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            double t = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] == t) i++;
            while (j < y.Length && y[j] == t) j++;
            d = Math.Max(d, Math.Abs(i / n - j / m));
        }
        return d;
    }

    /// <summary>
    /// The asymptotic critical value of the two-sample D at level <paramref name="alpha"/>:
    /// c(α) √((n + m)/(n m)) with c(α) = √(−ln(α/2) / 2) (1.36 at α = 0.05, 1.95 at α = 0.001).
    /// With m → ∞ it is the one-sample value c(α)/√n.
    /// </summary>
    public static double CriticalValue(double alpha, long n, long m = long.MaxValue)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1).");
        if (n < 1 || m < 1) throw new ArgumentOutOfRangeException(nameof(n), "sample sizes must be ≥ 1.");
        double c = Math.Sqrt(-Math.Log(alpha / 2) / 2);
        double scale = m == long.MaxValue ? 1.0 / n : (double)(n + m) / ((double)n * m);
        return c * Math.Sqrt(scale);
    }

    /// <summary>Φ(x), the standard normal distribution function (through erfc; absolute error below 10⁻⁷).</summary>
    public static double StandardNormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function, Numerical Recipes' Chebyshev fit (fractional error below 1.2·10⁻⁷ everywhere).
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                   t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                   t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    static double[] Sorted(IEnumerable<double> values, string name)
    {
        var x = values.ToArray();
        if (x.Length == 0) throw new ArgumentException("The sample is empty.", name);
        if (x.Any(double.IsNaN)) throw new ArgumentException("The sample contains NaN.", name);
        Array.Sort(x);
        return x;
    }
}
