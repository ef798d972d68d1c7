using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Losses;

namespace VaeLab.Tests.Losses;

public class GaussianLikelihoodElboTests
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

public class BernoulliElboTests
{
    static (double Mean, double Var) Moments(Tensor v)
    {
        var d = v.detach().to_type(ScalarType.Float64);
        return (d.mean().item<double>(), d.var().item<double>());
    }

    [Fact]
    public void MonteCarloElboAveragesToTheAnalyticKlElbo()
    {
        Lab.Setup(seed: 20);
        var model = new ConvVae();
        var x = torch.rand(1, 1, 28, 28);
        const int draws = 2000;
        var xs = x.expand(draws, -1, -1, -1);
        using var _ = torch.no_grad();
        var a = model.forward(xs);
        var mc = Elbo.MonteCarlo(a.Logits, xs, a.Z, a.Mean, a.LogVar);
        var b = model.forward(xs); // independent draws for the analytic estimate
        var analytic = Elbo.AnalyticKl(b.Logits, xs, b.Mean, b.LogVar);
        var (m1, v1) = Moments(mc);
        var (m2, v2) = Moments(analytic);
        double se = Math.Sqrt(v1 / draws + v2 / draws);
        Assert.True(Math.Abs(m1 - m2) < 4 * se, $"MC ELBO {m1} vs analytic-KL ELBO {m2}, SE {se}");
        Assert.True(se < 0.01 * Math.Abs(m2), $"the comparison is too loose to mean anything: SE {se}");

        // The KL part alone: mean of log q(z|x) − log p(z) over the draws matches the closed form.
        var klDraws = Gaussian.LogLikelihood(a.Z, a.Mean, a.LogVar) - Gaussian.LogStandardNormal(a.Z);
        var (mk, vk) = Moments(klDraws);
        double kl = Gaussian.KlToStandardNormal(a.Mean[0].unsqueeze(0), a.LogVar[0].unsqueeze(0)).item<float>();
        Assert.True(Math.Abs(mk - kl) < 4 * Math.Sqrt(vk / draws), $"MC KL {mk} vs closed form {kl}");
    }

    [Fact]
    public void BceWithLogitsEqualsBceOfTheSigmoidForModerateLogits()
    {
        Lab.Setup(seed: 21);
        var logits = torch.linspace(-6, 6, 784).reshape(1, 1, 28, 28).to_type(ScalarType.Float64);
        var x = torch.rand(1, 1, 28, 28, dtype: ScalarType.Float64);
        var p = logits.sigmoid();
        double direct = (x * p.log() + (1 - x) * (1 - p).log()).sum().item<double>();
        Assert.Equal(direct, Bernoulli.LogLikelihood(logits, x).item<double>(), 8);
    }

    [Fact]
    public void BceWithLogitsStaysFiniteAtPlusMinusFifty()
    {
        // log p = −softplus(−l) for x = 1 and −softplus(l) for x = 0; softplus(50) = 50 + log(1 + e^−50).
        var logits = torch.tensor(new float[] { 50, -50, 50, -50 }).reshape(1, 4);
        var x = torch.tensor(new float[] { 1, 0, 0, 1 }).reshape(1, 4);
        var perPixel = -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None);
        Assert.True(perPixel.isfinite().all().item<bool>());
        Assert.Equal(0.0, perPixel[0, 0].item<float>(), 6);
        Assert.Equal(0.0, perPixel[0, 1].item<float>(), 6);
        Assert.Equal(-50.0, perPixel[0, 2].item<float>(), 4);
        Assert.Equal(-50.0, perPixel[0, 3].item<float>(), 4);
        Assert.Equal(-100.0, Bernoulli.LogLikelihood(logits, x).item<float>(), 4);
        // The naive form through the sigmoid is not finite there: that is why the models emit logits.
        var p = logits.sigmoid();
        Assert.False((x * p.log() + (1 - x) * (1 - p).log()).isfinite().all().item<bool>());
    }

    [Fact]
    public void ImportanceWeightedBoundIsTheLogMeanOfTheWeights()
    {
        // weights 1 and 3 for example 0, e^2 twice for example 1: log 2 and 2.
        var w = torch.tensor(new double[,] { { 0, 2 }, { Math.Log(3), 2 } });
        var b = Elbo.ImportanceWeighted(w);
        Assert.Equal(Math.Log(2), b[0].item<double>(), 10);
        Assert.Equal(2.0, b[1].item<double>(), 10);
    }

    [Fact]
    public void LogWeightsOfOneSampleAreTheMonteCarloElbo()
    {
        Lab.Setup(seed: 22);
        var model = new ConvVae();
        var x = torch.rand(3, 1, 28, 28);
        using var _ = torch.no_grad();
        var o = model.forward(x);
        var w = Elbo.LogWeights(o.Logits, x, o.Z.unsqueeze(0), o.Mean, o.LogVar);
        Assert.Equal(new long[] { 1, 3 }, w.shape);
        Assert.True(w[0].allclose(Elbo.MonteCarlo(o.Logits, x, o.Z, o.Mean, o.LogVar), rtol: 1e-5, atol: 1e-3));
    }
}
