using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Experiments.Gaussians;

namespace VaeLab.Tests.Experiments.Gaussians;

/// <summary>
/// A case with a known answer: q = N(μ, σ²) in one dimension and f(z) = (z − a)², so E_q[f] = (μ − a)² + σ².
/// With m = μ − a: ∇_μ = 2m and ∇_{log σ²} = σ². Per latent sample, the estimators' variances are, in closed form,
/// reparameterization: Var ∇_μ = 4σ², Var ∇_{log σ²} = m²σ² + 2σ⁴; score function: Var ∇_μ = (m⁴ + 18m²σ² + 15σ⁴)/σ² − 4m².
/// </summary>
public class GradientEstimatorsTests
{
    const double Mu = 0.5, Sigma2 = 0.64, A = 2.0, M = Mu - A;
    const int Draws = 4000;

    static EstimatorDraws Run(GradientEstimator kind, int samples, int seed)
    {
        Lab.Setup(seed, threads: 1); // tiny tensors: a second thread only adds synchronisation
        var mu = new Parameter(torch.tensor(new[] { Mu }, new long[] { 1, 1 }, dtype: ScalarType.Float64));
        var logVar = new Parameter(torch.tensor(new[] { Math.Log(Sigma2) }, new long[] { 1, 1 }, dtype: ScalarType.Float64));
        return GradientEstimators.Draw(kind, () => (mu, logVar), z => (z - A).square().sum(-1), new Tensor[] { mu, logVar }, samples, Draws);
    }

    static void AssertMeanIsTheTrueGradient(EstimatorDraws d)
    {
        var mean = d.Mean.data<double>().ToArray();
        var se = d.StandardError.data<double>().ToArray();
        double[] truth = { 2 * M, Sigma2 };
        for (int j = 0; j < 2; j++)
            Assert.True(Math.Abs(mean[j] - truth[j]) <= 4 * se[j], $"{d.Estimator} S={d.Samples} coordinate {j}: {mean[j]} ± {se[j]}, true {truth[j]}");
    }

    /// <summary>The sample variance of column j against a closed form, within 5 of its own standard errors
    /// (SE of a sample variance: √((m₄ − s⁴)/D), m₄ the fourth central moment).</summary>
    static void AssertVariance(EstimatorDraws d, int j, double expected)
    {
        var col = d.Draws[.., j];
        var centred = col - col.mean();
        double s2 = col.var().item<double>(), m4 = centred.pow(4).mean().item<double>();
        double se = Math.Sqrt((m4 - s2 * s2) / d.Count);
        Assert.True(Math.Abs(s2 - expected) <= 5 * se, $"{d.Estimator} S={d.Samples} coordinate {j}: variance {s2} ± {se}, closed form {expected}");
    }

    [Fact]
    public void ReparameterizationIsUnbiasedWithItsClosedFormVariance()
    {
        var d = Run(GradientEstimator.Reparameterization, samples: 1, seed: 51);
        Assert.Equal(new long[] { Draws, 2 }, d.Draws.shape);
        AssertMeanIsTheTrueGradient(d);
        AssertVariance(d, 0, 4 * Sigma2);
        AssertVariance(d, 1, M * M * Sigma2 + 2 * Sigma2 * Sigma2);
    }

    [Fact]
    public void ScoreFunctionIsUnbiasedWithItsClosedFormVariance()
    {
        var d = Run(GradientEstimator.ScoreFunction, samples: 1, seed: 52);
        AssertMeanIsTheTrueGradient(d);
        AssertVariance(d, 0, (Math.Pow(M, 4) + 18 * M * M * Sigma2 + 15 * Sigma2 * Sigma2) / Sigma2 - 4 * M * M);
    }

    [Fact]
    public void VarianceFallsAsOneOverTheSampleCountAndReparameterizationIsLower()
    {
        var reparam = Run(GradientEstimator.Reparameterization, samples: 4, seed: 53);
        var score = Run(GradientEstimator.ScoreFunction, samples: 4, seed: 54);
        AssertMeanIsTheTrueGradient(reparam);
        AssertMeanIsTheTrueGradient(score);
        AssertVariance(reparam, 0, 4 * Sigma2 / 4);
        // Closed forms: 2.56 + 2.26 against 49.0 + (a larger log-variance term): at least ten times lower in total.
        Assert.True(score.TotalVariance > 10 * reparam.TotalVariance, $"score {score.TotalVariance}, reparameterization {reparam.TotalVariance}");
    }

    [Fact]
    public void LargestStandardizedDifferenceSkipsConstantCoordinates()
    {
        // Coordinate 0: means 1 and 0, each SE √(var/2) = √(0.5/2) = 0.5 → |1 − 0| / √(0.25 + 0.25) = √2.
        // Coordinate 1: always 3 in both (no standard error): skipped rather than 0/0.
        var a = new EstimatorDraws(GradientEstimator.ScoreFunction, 1, torch.tensor(new double[] { 0.5, 3, 1.5, 3 }, new long[] { 2, 2 }));
        var b = new EstimatorDraws(GradientEstimator.Reparameterization, 1, torch.tensor(new double[] { -0.5, 3, 0.5, 3 }, new long[] { 2, 2 }));
        Assert.Equal(Math.Sqrt(2), GradientEstimators.LargestStandardizedDifference(a, b), 10);
    }

    [Fact]
    public void RejectsZeroSamples()
    {
        var mu = new Parameter(torch.zeros(1, 1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientEstimators.Estimate(GradientEstimator.ScoreFunction, () => (mu, mu), z => z.sum(-1), new Tensor[] { mu }, 0));
        Assert.Contains("at least one latent sample", e.Message);
    }

    [Fact]
    public void CompareGivesTheSmallestVarianceRatioAndTheLargestStandardizedDifferenceOverS()
    {
        // Hand-made draws (two coordinates, four draws each): variances per coordinate are unbiased sample variances.
        EstimatorDraws D(GradientEstimator kind, int s, double[,] draws) => new(kind, s, torch.tensor(draws));
        var score1 = D(GradientEstimator.ScoreFunction, 1, new double[,] { { 0, 0 }, { 4, 0 }, { 0, 0 }, { 4, 0 } });   // var (16/3, 0), mean (2, 0)
        var reparam1 = D(GradientEstimator.Reparameterization, 1, new double[,] { { 1, 0 }, { 3, 0 }, { 1, 0 }, { 3, 0 } }); // var (4/3, 0), mean (2, 0)
        var score4 = D(GradientEstimator.ScoreFunction, 4, new double[,] { { 1, 0 }, { 3, 0 }, { 1, 0 }, { 3, 0 } });   // var (4/3, 0)
        var reparam4 = D(GradientEstimator.Reparameterization, 4, new double[,] { { 2, 0 }, { 3, 0 }, { 2, 0 }, { 3, 0 } }); // var (1/3, 0), mean (2.5, 0)
        var (ratio, z) = GradientEstimators.Compare(new[] { score1, reparam1, score4, reparam4 });
        Assert.Equal(4.0, ratio, 9);  // S = 1: (16/3)/(4/3) = 4; S = 4: (4/3)/(1/3) = 4
        Assert.Equal(GradientEstimators.LargestStandardizedDifference(score4, reparam4), z, 12);  // S = 1 has equal means
        Assert.Throws<ArgumentException>(() => GradientEstimators.Compare(Array.Empty<EstimatorDraws>()));
    }
}
