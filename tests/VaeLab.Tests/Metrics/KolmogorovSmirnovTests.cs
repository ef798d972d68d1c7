using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;

namespace VaeLab.Tests.Metrics;

public class KolmogorovSmirnovTests
{
    [Fact]
    public void StandardNormalCdfMatchesTabulatedValues()
    {
        Assert.Equal(0.5, KolmogorovSmirnov.StandardNormalCdf(0), 7);
        Assert.Equal(0.975, KolmogorovSmirnov.StandardNormalCdf(1.959963985), 6);
        Assert.Equal(0.158655254, KolmogorovSmirnov.StandardNormalCdf(-1), 6);
        Assert.Equal(0.999968329, KolmogorovSmirnov.StandardNormalCdf(4), 6);
    }

    [Fact]
    public void OneSampleMatchesHandComputations()
    {
        // A single point at the median: the empirical function jumps from 0 to 1 where F = ½.
        Assert.Equal(0.5, KolmogorovSmirnov.AgainstStandardNormal(new[] { 0.0 }), 7);
        // {−1, 1}: both steps miss Φ by ½ − Φ(−1) = 0.341345.
        Assert.Equal(0.5 - 0.158655254, KolmogorovSmirnov.AgainstStandardNormal(new[] { 1.0, -1.0 }), 6);
        // Uniform(0, 1), F(x) = x, sample {0.1, 0.4, 0.9}: max(1/3 − 0.1, 2/3 − 0.4, 1 − 0.9, 0.4 − 1/3, …) = 4/15.
        Assert.Equal(4.0 / 15, KolmogorovSmirnov.OneSample(new[] { 0.9, 0.1, 0.4 }, x => x), 10);
    }

    [Fact]
    public void LargeNormalSampleIsCloseAndAShiftedOneIsAtTheClosedFormDistance()
    {
        const int n = 20_000;
        using var gen = new Generator(7);
        var z = torch.randn(new long[] { n }, dtype: ScalarType.Float64, generator: gen).data<double>().ToArray();
        double same = KolmogorovSmirnov.AgainstStandardNormal(z);
        Assert.True(same < KolmogorovSmirnov.CriticalValue(0.001, n), $"N(0,1) sample: D = {same}");
        // N(0.5, 1) against N(0, 1): D = max_x Φ(x) − Φ(x − ½) = Φ(¼) − Φ(−¼) = 0.19741.
        double shifted = KolmogorovSmirnov.AgainstStandardNormal(z.Select(v => v + 0.5));
        double expected = KolmogorovSmirnov.StandardNormalCdf(0.25) - KolmogorovSmirnov.StandardNormalCdf(-0.25);
        Assert.Equal(0.19741, expected, 4);
        Assert.True(Math.Abs(shifted - expected) < 0.015, $"N(0.5,1) sample: D = {shifted}, expected {expected}");
    }

    [Fact]
    public void PerDimensionTakesTheWorstColumn()
    {
        using var gen = new Generator(8);
        var codes = torch.randn(new long[] { 20_000, 2 }, dtype: ScalarType.Float32, generator: gen);
        codes[.., 1].add_(0.5);
        var (max, per) = KolmogorovSmirnov.PerDimensionAgainstStandardNormal(codes);
        Assert.Equal(2, per.Length);
        Assert.True(per[0] < 0.015, $"column 0: {per[0]}");
        Assert.True(Math.Abs(per[1] - 0.1974) < 0.015, $"column 1: {per[1]}");
        Assert.Equal(per[1], max);
        Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.PerDimensionAgainstStandardNormal(torch.zeros(5)));
    }

    [Fact]
    public void TwoSampleMatchesHandComputationsWithTies()
    {
        Assert.Equal(1.0, KolmogorovSmirnov.TwoSample(new[] { 1.0, 2, 3 }, new[] { 4.0, 5 }), 12);
        Assert.Equal(0.5, KolmogorovSmirnov.TwoSample(new[] { 1.0, 3 }, new[] { 2.0, 4 }), 12);
        Assert.Equal(0.0, KolmogorovSmirnov.TwoSample(new[] { 3.0, 1, 2 }, new[] { 2.0, 3, 1 }), 12);
        // Ties across the samples: at t = 1, F_a = 2/3 and F_b = 1/3; at t = 2 both reach 1.
        Assert.Equal(1.0 / 3, KolmogorovSmirnov.TwoSample(new[] { 1.0, 1, 2 }, new[] { 1.0, 2, 2 }), 12);
        Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample(Array.Empty<double>(), new[] { 1.0 }));
    }

    [Fact]
    public void CriticalValuesMatchTheTabulatedConstants()
    {
        // c(0.05) = 1.3581, c(0.001) = 1.9495.
        Assert.Equal(0.13581, KolmogorovSmirnov.CriticalValue(0.05, 100), 4);
        Assert.Equal(1.9495 * Math.Sqrt(2.0 / 2000), KolmogorovSmirnov.CriticalValue(0.001, 2000, 2000), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnov.CriticalValue(0, 10));
    }
}
