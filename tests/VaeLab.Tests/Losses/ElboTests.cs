using TorchSharp;
using VaeLab.Losses;
using static TorchSharp.torch;

namespace VaeLab.Tests.Losses;

public class ElboTests
{
    static Tensor T(double[] v, params long[] shape) => torch.tensor(v, shape, dtype: ScalarType.Float64);

    [Fact]
    public void GaussianLikelihoodElboMatchesAHandComputation()
    {
        // One input x = (1, 0), two latent samples, d_x = 2, d_z = 1.
        var x = T(new[] { 1.0, 0.0 }, 1, 2);
        var xMean = T(new[] { 1.0, 0.0, 0.0, 1.0 }, 1, 2, 2);     // sample 1: exact; sample 2: off by 1 in each coordinate
        var xLogVar = T(new[] { 0.0, 0.0, Math.Log(4), 0.0 }, 1, 2, 2);
        var zMean = T(new[] { 1.0 }, 1, 1);
        var zLogVar = T(new[] { 0.0 }, 1, 1);
        double log2Pi = Math.Log(2 * Math.PI);
        double sample1 = -log2Pi;                                          // −½·2·log 2π, no error, σ² = 1
        double sample2 = -log2Pi - 0.5 * Math.Log(4) - 1.0 / 8 - 0.5;      // σ² = (4, 1): −½ log 4 − 1/(2·4) − 1/2
        double logLik = (sample1 + sample2) / 2;
        double kl = 0.5;                                                   // μ = 1, σ² = 1
        var terms = Elbo.GaussianLikelihood(x, xMean, xLogVar, zMean, zLogVar);
        Assert.Equal(logLik, terms.LogLikelihood.item<double>(), 10);
        Assert.Equal(kl, terms.Kl.item<double>(), 10);
        Assert.Equal(logLik - kl, terms.Elbo.item<double>(), 10);
    }

    [Fact]
    public void ReturnsOneValuePerExample()
    {
        Lab.Setup(seed: 21, threads: 1);
        var terms = Elbo.GaussianLikelihood(torch.randn(7, 2), torch.randn(7, 3, 2), torch.randn(7, 3, 2), torch.randn(7, 1), torch.randn(7, 1));
        Assert.Equal(new long[] { 7 }, terms.Elbo.shape);
        Assert.Equal(new long[] { 7 }, terms.LogLikelihood.shape);
        Assert.Equal(new long[] { 7 }, terms.Kl.shape);
    }

    [Fact]
    public void MisshapenLikelihoodParametersAreRejectedWithTheExpectedShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Elbo.GaussianLikelihood(torch.zeros(4, 2), torch.zeros(4, 2), torch.zeros(4, 2), torch.zeros(4, 1), torch.zeros(4, 1)));
        Assert.Contains("B×n_z×d_x", e.Message);
    }
}
