using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Metrics;

namespace VaeLab.Tests.Experiments.Aae;

public class AaeMetricsTests
{
    [Fact]
    public void GaussianMmdClosedFormIsZeroForEqualAndHandComputedOtherwise()
    {
        Assert.Equal(0.0, AaeMetrics.GaussianMmd2(5, 5, 5, 2), 12);
        // Standardised: a = 1, b = 1.2, h = 1, d = 2: 1/3 + 1/3.88 − 2/3.44.
        Assert.Equal(1 / 3.0 + 1 / 3.88 - 2 / 3.44, AaeMetrics.GaussianMmd2(5, 6, 5, 2), 12);
    }

    [Fact]
    public void MmdEstimateMatchesTheClosedFormWithinMonteCarloError()
    {
        Lab.Setup(seed: 11);
        double exact = AaeMetrics.GaussianMmd2(5, 7.5, 5, 2);
        // The U-statistic is unbiased: the mean of independent replications is within 4 standard errors of the
        // closed form (the SE is estimated from the replications themselves).
        var estimates = Enumerable.Range(0, 12).Select(_ =>
            PointClouds.MmdSquared(torch.randn(500, 2, dtype: ScalarType.Float64) * 5, torch.randn(500, 2, dtype: ScalarType.Float64) * 7.5, 5)).ToArray();
        double mean = estimates.Average();
        double se = Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (estimates.Length - 1) / estimates.Length);
        Assert.True(Math.Abs(mean - exact) < 4 * se, $"mean {mean}, exact {exact}, SE {se}");
        Assert.True(exact > 10 * se, "the test must be able to tell this alternative from 0");
        // Same distribution: expectation 0.
        var same = Enumerable.Range(0, 12).Select(_ => AaeMetrics.Mmd2ToGaussian(torch.randn(500, 2) * 5, 5, 5)).ToArray();
        double sameMean = same.Average();
        double sameSe = Math.Sqrt(same.Sum(e => (e - sameMean) * (e - sameMean)) / (same.Length - 1) / same.Length);
        Assert.True(Math.Abs(sameMean) < 4 * sameSe, $"same-distribution mean {sameMean}, SE {sameSe}");
    }

    [Fact]
    public void MmdRejectsMismatchedShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => AaeMetrics.Mmd2ToGaussian(torch.zeros(3, 2, 2), 5, 1));
        Assert.Contains("[3,2,2]", e.Message);
    }

    [Fact]
    public void StdPerDimensionIsTheColumnStd()
    {
        var z = torch.tensor(new float[,] { { 1, 10 }, { 3, 10 }, { 5, 10 } });
        var s = AaeMetrics.StdPerDimension(z);
        Assert.Equal(2.0, s[0], 6);
        Assert.Equal(0.0, s[1], 6);
    }
}
