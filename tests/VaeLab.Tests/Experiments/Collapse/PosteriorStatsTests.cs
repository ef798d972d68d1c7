using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;
using VaeLab.Experiments.Collapse;

namespace VaeLab.Tests.Experiments.Collapse;

public class PosteriorStatsTests
{
    [Fact]
    public void ActiveUnitsCountsDimensionsWhoseMeanVariesAboveTheThreshold()
    {
        // Four examples, three dims. Column variances (population): dim0 {1,−1,1,−1} → 1; dim1 {0.05,−0.05,...}
        // → 0.0025 (below δ = 0.01); dim2 {0.2,−0.2,...} → 0.04 (above).
        var mean = torch.tensor(new float[,] { { 1, 0.05f, 0.2f }, { -1, -0.05f, -0.2f }, { 1, 0.05f, 0.2f }, { -1, -0.05f, -0.2f } });
        var v = PosteriorStats.MeanVariance(mean);
        Assert.Equal(1.0, v[0], 6);
        Assert.Equal(0.0025, v[1], 6);
        Assert.Equal(0.04, v[2], 6);
        Assert.Equal(2, PosteriorStats.ActiveUnits(mean));
        Assert.Equal(1, PosteriorStats.ActiveUnits(mean, threshold: 0.5));
    }

    [Fact]
    public void CollapsedEncoderHasNoActiveUnitsZeroKlAndMutualInformationNearZero()
    {
        Lab.Setup(seed: 11);
        int n = 512, d = 8;
        var mean = torch.zeros(n, d);
        var logVar = torch.zeros(n, d);
        Assert.Equal(0, PosteriorStats.ActiveUnits(mean));
        Assert.Equal(0.0, PosteriorStats.Kl(mean, logVar), 12);
        // With q(z|x) = N(0, I) for every x, the estimator reduces to ½ (mean‖z‖² − D): zero mean, standard error
        // ½ √(2D / N) = 0.0625 here. Allow 4 standard errors.
        double mi = PosteriorStats.MutualInformation(mean, logVar);
        Assert.InRange(mi, -4 * 0.0625, 4 * 0.0625);
        // And with a given noise draw it equals that closed form exactly.
        var eps = torch.randn(n, d, dtype: ScalarType.Float64);
        double expected = 0.5 * (eps.square().sum(1).mean().item<double>() - d);
        Assert.Equal(expected, PosteriorStats.MutualInformation(mean, logVar, eps), 9);
    }

    [Fact]
    public void MoreDrawsShrinkTheMutualInformationErrorBySquareRoot()
    {
        // Collapsed encoder: each estimate is ½ (mean‖z‖² − D), zero mean, SE ½ √(2D/N) = 0.177 with one draw and
        // 0.177/√16 ≈ 0.044 with 16 (the spread of 60 repeats is within ±30 % of the SE with high probability).
        Lab.Setup(seed: 12);
        int n = 128, d = 8;
        var mean = torch.zeros(n, d);
        var logVar = torch.zeros(n, d);
        double Spread(int draws)
        {
            var v = Enumerable.Range(0, 60).Select(_ => PosteriorStats.MutualInformation(mean, logVar, draws: draws)).ToArray();
            double m = v.Average();
            return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
        }
        double one = Spread(1), sixteen = Spread(16);
        double se = 0.5 * Math.Sqrt(2.0 * d / n);
        Assert.InRange(one, se * 0.7, se * 1.3);
        Assert.InRange(sixteen, se / 4 * 0.7, se / 4 * 1.3);
        Assert.Throws<ArgumentOutOfRangeException>(() => PosteriorStats.MutualInformation(mean, logVar, draws: 0));
        Assert.Throws<ArgumentException>(() => PosteriorStats.MutualInformation(mean, logVar, torch.randn(n, d), draws: 2));
    }

    [Fact]
    public void InformativeEncoderReachesLogNMutualInformation()
    {
        // N means 10 apart with σ = 0.01: each z is explained by its own x only, so log q(z_i) = log q(z_i|x_i) − log N
        // and the estimate is log N + ½ (mean‖ε‖² − D): log N (its ceiling) up to the same Monte Carlo term as above.
        int n = 64, d = 2;
        var mean = (torch.arange(n, dtype: ScalarType.Float32) * 10).reshape(n, 1).repeat(1, d);
        var logVar = torch.full(n, d, (float)Math.Log(1e-4));
        Lab.Setup(seed: 5);
        var eps = torch.randn(n, d, dtype: ScalarType.Float64);
        double expected = Math.Log(n) + 0.5 * (eps.square().sum(1).mean().item<double>() - d);
        Assert.Equal(expected, PosteriorStats.MutualInformation(mean, logVar, eps), 6);
        // Drawn internally: within 4 standard errors (½ √(2D/N) = 0.125) of log N.
        Assert.InRange(PosteriorStats.MutualInformation(mean, logVar), Math.Log(n) - 0.5, Math.Log(n) + 0.5);
        Assert.Equal(2, PosteriorStats.ActiveUnits(mean));
        Assert.True(PosteriorStats.Kl(mean, logVar) > 1);
    }

    [Fact]
    public void KlMatchesTheClosedForm()
    {
        // One example: mean (1, 0), logVar (0, ln 4): KL = ½ (1 + 1 − 1 − 0) + ½ (4 + 0 − 1 − ln 4) = 0.5 + 0.8068528.
        var mean = torch.tensor(new float[,] { { 1, 0 } });
        var logVar = torch.tensor(new float[,] { { 0, (float)Math.Log(4) } });
        double second = 0.5 * (3 - Math.Log(4));
        Assert.Equal(0.5 + second, PosteriorStats.Kl(mean, logVar), 6);
    }

    [Fact]
    public void BandsAreMinAndMaxOfMeansAndStandardDeviations()
    {
        var mean = torch.tensor(new float[,] { { -1, 3 }, { 2, 0 } });
        var logVar = torch.tensor(new float[,] { { 0, (float)Math.Log(0.25) }, { (float)Math.Log(4), 0 } });
        var b = PosteriorStats.Bands(mean, logVar);
        Assert.Equal(new[] { -1.0, 0.0 }, b.MeanMin);
        Assert.Equal(new[] { 2.0, 3.0 }, b.MeanMax);
        Assert.Equal(1.0, b.StdMin[0], 6); Assert.Equal(2.0, b.StdMax[0], 6);
        Assert.Equal(0.5, b.StdMin[1], 6); Assert.Equal(1.0, b.StdMax[1], 6);
        Assert.Equal((1 + 0.5 + 2 + 1) / 4.0, PosteriorStats.MeanStandardDeviation(logVar), 6);
    }

    [Fact]
    public void MismatchedShapesGiveAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => PosteriorStats.Kl(torch.zeros(4, 2), torch.zeros(4, 3)));
        Assert.Contains("same N×D shape", e.Message);
        Assert.Contains("N×D", Assert.Throws<ArgumentException>(() => PosteriorStats.ActiveUnits(torch.zeros(4))).Message);
    }
}
