using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Tests.Losses;

public class GaussianKlAndLikelihoodTests
{
    static Tensor T(params double[] v) => torch.tensor(v, dtype: ScalarType.Float64).unsqueeze(0);

    [Fact]
    public void KlIsZeroAtTheStandardNormal()
    {
        var kl = Gaussian.KlToStandardNormal(torch.zeros(4, 3, dtype: ScalarType.Float64), torch.zeros(4, 3, dtype: ScalarType.Float64));
        Assert.Equal(new long[] { 4 }, kl.shape);
        foreach (var v in kl.data<double>()) Assert.Equal(0.0, v, 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void KlIsHalfTheDimensionAtUnitMeanAndUnitVariance(int d)
    {
        // ½ Σ (1 + 1 − 1 − 0) = d/2.
        var kl = Gaussian.KlToStandardNormal(torch.ones(2, d, dtype: ScalarType.Float64), torch.zeros(2, d, dtype: ScalarType.Float64));
        foreach (var v in kl.data<double>()) Assert.Equal(0.5 * d, v, 12);
    }

    [Fact]
    public void KlIsNonNegativeOnRandomInputs()
    {
        Lab.Setup(seed: 11, threads: 1);
        var mean = 3 * torch.randn(1000, 4, dtype: ScalarType.Float64);
        var logVar = 4 * torch.randn(1000, 4, dtype: ScalarType.Float64);
        var kl = Gaussian.KlToStandardNormal(mean, logVar);
        Assert.True(kl.min().item<double>() >= 0, $"min KL {kl.min().item<double>()}");
        var kl2 = Gaussian.KlDiagonal(mean, logVar, torch.randn(1000, 4, dtype: ScalarType.Float64), torch.randn(1000, 4, dtype: ScalarType.Float64));
        Assert.True(kl2.min().item<double>() >= 0, $"min KL {kl2.min().item<double>()}");
    }

    [Fact]
    public void ClosedFormKlAgreesWithMonteCarloWithinFourStandardErrors()
    {
        Lab.Setup(seed: 12, threads: 1);
        var mean = T(0.7, -1.2, 0.1);
        var logVar = T(-0.5, 0.8, 0.0);
        const int n = 20_000;
        var z = mean + (0.5 * logVar).exp() * torch.randn(n, 3, dtype: ScalarType.Float64);
        // KL = E_q[log q(z) − log p(z)]; its Monte-Carlo mean has standard error sd/√n.
        var terms = Gaussian.LogLikelihood(z, mean, logVar) - Gaussian.LogStandardNormal(z);
        double mc = terms.mean().item<double>(), se = terms.std().item<double>() / Math.Sqrt(n);
        double closed = Gaussian.KlToStandardNormal(mean, logVar).item<double>();
        Assert.True(Math.Abs(mc - closed) <= 4 * se, $"closed {closed}, Monte Carlo {mc} ± {se}");
    }

    [Fact]
    public void KlDiagonalToTheStandardNormalEqualsKlToStandardNormal()
    {
        Lab.Setup(seed: 13, threads: 1);
        var mean = torch.randn(50, 3, dtype: ScalarType.Float64);
        var logVar = torch.randn(50, 3, dtype: ScalarType.Float64);
        var zeros = torch.zeros(50, 3, dtype: ScalarType.Float64);
        var a = Gaussian.KlDiagonal(mean, logVar, zeros, zeros);
        var b = Gaussian.KlToStandardNormal(mean, logVar);
        Assert.True(torch.allclose(a, b, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void LogLikelihoodEqualsTheTextbookFormula()
    {
        // x = (1, −2), μ = (0.5, 0), σ² = (1, 4): Σ_j −½ log(2π σ_j²) − (x_j − μ_j)² / (2σ_j²), by hand:
        // −½ log 2π − 0.125  +  −½ log 8π − 0.5  = −log 2π − log 2 − 0.625 = −3.15602425
        double expected = -Math.Log(2 * Math.PI) - Math.Log(2) - 0.625;
        var ll = Gaussian.LogLikelihood(T(1, -2), T(0.5, 0), T(0, Math.Log(4)));
        Assert.Equal(-3.15602425, expected, 8);
        Assert.Equal(expected, ll.item<double>(), 10);
    }
}
