using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class AggregatePosteriorTests
{
    [Fact]
    public void MeanNormAndCovarianceDistanceOnHandComputedCodes()
    {
        // Codes (±1, 0) and (0, ±2) shifted by (3, 4): mean (3, 4) → norm 5;
        // covariance diag(2/3, 8/3) (divisor N − 1 = 3) → ‖Cov − I‖_F = √((1/3)² + (5/3)²).
        var codes = torch.tensor(new float[,] { { 4, 4 }, { 2, 4 }, { 3, 6 }, { 3, 2 } });
        Assert.Equal(5.0, AggregatePosterior.MeanNorm(codes), 6);
        var cov = AggregatePosterior.Covariance(codes);
        Assert.Equal(2.0 / 3, cov[0, 0].item<double>(), 6);
        Assert.Equal(8.0 / 3, cov[1, 1].item<double>(), 6);
        Assert.Equal(0.0, cov[0, 1].item<double>(), 6);
        Assert.Equal(Math.Sqrt(1.0 / 9 + 25.0 / 9), AggregatePosterior.CovarianceDistance(codes), 6);
        // against a wider prior, σ² = 25: √((25 − 2/3)² + (25 − 8/3)²)
        Assert.Equal(Math.Sqrt(Math.Pow(25 - 2.0 / 3, 2) + Math.Pow(25 - 8.0 / 3, 2)), AggregatePosterior.CovarianceDistance(codes, 25), 6);
    }

    [Fact]
    public void PriorSamplesScoreNearZeroAndWithinTheirSamplingSpread()
    {
        // For n draws from N(0, I_2): E‖mean‖² = 2/n, and each covariance entry has SD ≈ 1/√n (diagonal √(2/n)).
        Lab.Setup(seed: 30);
        const int n = 10_000;
        var z = torch.randn(n, 2);
        Assert.True(AggregatePosterior.MeanNorm(z) < 4 * Math.Sqrt(2.0 / n));
        Assert.True(AggregatePosterior.CovarianceDistance(z) < 4 * Math.Sqrt(2 * 2.0 / n + 2 * 1.0 / n));
    }

    [Fact]
    public void MmdToNormalIsReproducibleAndRanksCodesByDistanceFromThePrior()
    {
        Lab.Setup(seed: 31);
        var prior = torch.randn(2000, 2);
        var squeezed = torch.randn(2000, 2) * 0.3;
        var shifted = torch.randn(2000, 2) + 1.5;
        double p = AggregatePosterior.MmdToNormal(prior, seed: 5);
        Assert.Equal(p, AggregatePosterior.MmdToNormal(prior, seed: 5), 12);
        Assert.True(p < AggregatePosterior.MmdToNormal(squeezed, seed: 5));
        Assert.True(p < AggregatePosterior.MmdToNormal(shifted, seed: 5));
        // Codes drawn from N(0, 25 I) are close to that prior and far from N(0, I).
        var wide = torch.randn(2000, 2) * 5;
        Assert.True(AggregatePosterior.MmdToNormal(wide, std: 5, seed: 5) < AggregatePosterior.MmdToNormal(wide, std: 1, seed: 5));
        // Expectation of the biased estimate under the prior is 1/n here (see MmdTests); allow ten times that.
        Assert.True(p < 10.0 / 2000, $"MMD of prior samples to the prior: {p}");
    }
}
