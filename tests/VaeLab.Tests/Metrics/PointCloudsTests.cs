using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;

namespace VaeLab.Tests.Metrics;

public class PointCloudsTests
{
    [Fact]
    public void MmdSquaredMatchesAHandComputation()
    {
        // x = {0, 1}, y = {3} on a line (as 2-D points), σ = 1: k(d) = exp(−d²/2).
        // Kxx off-diagonal mean = e^{−1/2}; Kyy has no pairs so use y = {3, 3}: off-diagonal mean = 1.
        // Kxy mean = (e^{−9/2} + e^{−2}) / 2.
        var x = torch.tensor(new double[] { 0, 0, 1, 0 }, new long[] { 2, 2 });
        var y = torch.tensor(new double[] { 3, 0, 3, 0 }, new long[] { 2, 2 });
        double expected = Math.Exp(-0.5) + 1 - (Math.Exp(-4.5) + Math.Exp(-2));
        Assert.Equal(expected, PointClouds.MmdSquared(x, y, 1.0), 10);
    }

    [Fact]
    public void MmdSquaredIsNearZeroForOneDistributionAndLargeForShiftedOnes()
    {
        Lab.Setup(seed: 61, threads: 1);
        var a = torch.randn(1500, 2);
        var b = torch.randn(1500, 2);
        var shifted = torch.randn(1500, 2) + 1.0;
        double same = PointClouds.MmdSquared(a, b, 1.0), differ = PointClouds.MmdSquared(a, shifted, 1.0);
        // For N(0, I) against N(δ, I) in 2-D with σ = 1 the population value is 2·(1/3)·(1 − e^{−|δ|²/6}) ≈ 0.19 at |δ|² = 2;
        // the unbiased estimate of the null has a standard error of order 1/n ≈ 1e-3.
        double population = 2.0 / 3 * (1 - Math.Exp(-2.0 / 6));
        Assert.True(Math.Abs(same) < 0.01, $"same distribution: {same}");
        Assert.True(Math.Abs(differ - population) < 0.03, $"shifted: {differ}, population {population}");
    }

    [Fact]
    public void LocalSpreadIsZeroOnACurveAndLargeForAPlanarCloud()
    {
        Lab.Setup(seed: 62, threads: 1);
        var t = torch.rand(1000, dtype: ScalarType.Float64) * 6;
        var curve = torch.stack(new[] { t, (t).sin() }, 1);
        var cloud = torch.randn(1000, 2, dtype: ScalarType.Float64);
        Assert.True(PointClouds.LocalSpread(curve, 20) < 1e-3);
        Assert.True(PointClouds.LocalSpread(cloud, 20) > 0.3);
    }

    [Fact]
    public void ClusterSharesCountTheNearestCentre()
    {
        var points = torch.tensor(new float[] { -3, -2, -1, -1, 2, 2, 0.1f, 0.2f }, new long[] { 4, 2 });
        var centres = torch.tensor(new float[] { -2, -2, 2, 2 }, new long[] { 2, 2 });
        Assert.Equal(new[] { 0.5, 0.5 }, PointClouds.ClusterShares(points, centres));
    }

    [Fact]
    public void RejectsPointsThatAreNotAMatrix()
    {
        var e = Assert.Throws<ArgumentException>(() => PointClouds.MmdSquared(torch.zeros(10), torch.zeros(10, 2), 1.0));
        Assert.Contains("N×d", e.Message);
    }
}
