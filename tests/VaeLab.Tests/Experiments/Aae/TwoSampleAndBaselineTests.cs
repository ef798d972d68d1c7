using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;

namespace VaeLab.Tests.Experiments.Aae;

public class ClassifierTwoSampleTestTests
{
    [Fact]
    public void IdenticalDistributionsScoreNearChance()
    {
        Lab.Setup(seed: 3);
        // 1,000 of each: 500 held out per sample, chance SE = √(¼/1000) ≈ 0.0158; within 4 SE of ½.
        var r = ClassifierTwoSampleTest.Run(torch.randn(1000, 2) * 5, torch.randn(1000, 2) * 5, seed: 1);
        Assert.Equal(500, r.HeldOutPerSample);
        Assert.Equal(Math.Sqrt(0.25 / 1000), r.ChanceStandardError, 12);
        Assert.True(Math.Abs(r.HeldOutAccuracy - 0.5) < 4 * r.ChanceStandardError, $"held-out accuracy {r.HeldOutAccuracy}");
    }

    [Fact]
    public void WellSeparatedDistributionsScoreNearOne()
    {
        Lab.Setup(seed: 4);
        var r = ClassifierTwoSampleTest.Run(torch.randn(600, 2), torch.randn(600, 2) + 6, seed: 2);
        Assert.True(r.HeldOutAccuracy > 0.99, $"held-out accuracy {r.HeldOutAccuracy}");
    }

    [Fact]
    public void AScaleMismatchIsFoundNearTheBayesAccuracy()
    {
        // N(0, 25I) against N(0, 56.25I) (std 7.5, as the AAE's codes at `paper`): the best classifier reaches
        // ½ + ½TV; a fresh MLP on 2,000 points each should come within a few SE of it, and far above ½.
        Lab.Setup(seed: 5);
        double best = AaeMetrics.BestAccuracyBetweenGaussians(5, 7.5, 2);
        var r = ClassifierTwoSampleTest.Run(torch.randn(2000, 2) * 5, torch.randn(2000, 2) * 7.5, seed: 3);
        Assert.True(r.HeldOutAccuracy > 0.5 + 4 * r.ChanceStandardError, $"held-out {r.HeldOutAccuracy}, best {best}");
        Assert.True(r.HeldOutAccuracy < best + 4 * r.ChanceStandardError, $"held-out {r.HeldOutAccuracy}, best {best}");
    }

    [Fact]
    public void TheSeedAloneFixesTheResultAndTheGlobalGeneratorIsLeftAlone()
    {
        Lab.Setup(seed: 6);
        var a = torch.randn(200, 2); var b = torch.randn(200, 2) * 1.5;
        torch.manual_seed(99);
        var r1 = ClassifierTwoSampleTest.Run(a, b, seed: 7, steps: 50);
        double next1 = torch.rand(1).item<float>();
        torch.manual_seed(99);
        var r2 = ClassifierTwoSampleTest.Run(a, b, seed: 7, steps: 50);
        double next2 = torch.rand(1).item<float>();
        torch.manual_seed(99);
        double untouched = torch.rand(1).item<float>();
        Assert.Equal(r1, r2);
        Assert.Equal(next1, next2);
        Assert.Equal(untouched, next1);
    }

    [Fact]
    public void MismatchedSamplesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ClassifierTwoSampleTest.Run(torch.zeros(10, 2), torch.zeros(10, 3), seed: 0));
        Assert.Throws<ArgumentException>(() => ClassifierTwoSampleTest.Run(torch.zeros(3, 2), torch.zeros(10, 2), seed: 0));
    }
}

public class BestAccuracyBetweenGaussiansTests
{
    [Fact]
    public void TwoDimensionsMatchTheHandComputedValue()
    {
        // d = 2: χ²₂ is exponential, the densities cross at r² = 4 ln 1.2 / (1/25 − 1/36) ≈ 59.67 and
        // TV = e^{−r²/72} − e^{−r²/50}.
        double r2 = 4 * Math.Log(1.2) / (1 / 25.0 - 1 / 36.0);
        double expected = 0.5 + 0.5 * (Math.Exp(-r2 / 72) - Math.Exp(-r2 / 50));
        Assert.Equal(expected, AaeMetrics.BestAccuracyBetweenGaussians(5, 6, 2), 10);
        Assert.Equal(0.567, AaeMetrics.BestAccuracyBetweenGaussians(5, 6, 2), 3);
        Assert.Equal(AaeMetrics.BestAccuracyBetweenGaussians(6, 5, 2), AaeMetrics.BestAccuracyBetweenGaussians(5, 6, 2), 12);
        Assert.Equal(0.5, AaeMetrics.BestAccuracyBetweenGaussians(5, 5, 2));
    }

    [Fact]
    public void ChiSquareCdfMatchesKnownValues()
    {
        Assert.Equal(1 - Math.Exp(-1.5), AaeMetrics.ChiSquareCdf(3, 2), 12);
        Assert.Equal(0.95, AaeMetrics.ChiSquareCdf(3.841458820694124, 1), 9);
        Assert.Equal(0.95, AaeMetrics.ChiSquareCdf(18.307038053275146, 10), 9);
        Assert.Equal(0.0, AaeMetrics.ChiSquareCdf(0, 3));
    }

    [Fact]
    public void MonteCarloAgreesInFourDimensions()
    {
        // The Bayes rule (r² below the crossing → the narrower Gaussian) applied to samples reaches the closed form.
        var rng = new Random(1);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        int d = 4, n = 200_000;
        double sa = 1, sb = 1.3, r2 = 2 * d * Math.Log(sb / sa) / (1 / (sa * sa) - 1 / (sb * sb));
        int hits = 0;
        for (int i = 0; i < n; i++)
        {
            double qa = 0, qb = 0;
            for (int j = 0; j < d; j++) { double u = Normal() * sa, v = Normal() * sb; qa += u * u; qb += v * v; }
            if (qa <= r2) hits++;
            if (qb > r2) hits++;
        }
        double mc = hits / (2.0 * n);
        Assert.Equal(AaeMetrics.BestAccuracyBetweenGaussians(sa, sb, d), mc, 2);
    }
}

public class LabelledOnlyClassifierTests
{
    static readonly SemiSupervisedAaeConfig Tiny = new() { HiddenDim = 32, LatentDim = 2, BatchSize = 10, LabelledExamples = 20, Epochs = 3, Classes = 2 };

    /// <summary>Two kinds of images: bright left half (class 0) or bright right half (class 1), with noise.</summary>
    static (Tensor X, Tensor Y) TwoKinds(int n, int seed)
    {
        torch.manual_seed(seed);
        var y = torch.arange(n, dtype: ScalarType.Int64) % 2;
        var left = torch.zeros(28, 28); left[.., ..14] = 1;
        var pattern = torch.stack(new[] { left.flatten(), left.flip(1).flatten() });
        var x = (pattern.index_select(0, y) * 0.7 + torch.rand(n, 784) * 0.3).clamp(0, 1);
        return (x, y);
    }

    [Fact]
    public void TakesTheSemiSupervisedRunsNumberOfClassificationSteps()
    {
        Assert.Equal(60, LabelledOnlyClassifier.StepsPerEpoch(SemiSupervisedAaeConfig.For("default"), 6000));
        Assert.Equal(6, LabelledOnlyClassifier.StepsPerEpoch(Tiny, 65));     // drop-last batches of 10
        Assert.Equal(1, LabelledOnlyClassifier.StepsPerEpoch(Tiny, 7));      // fewer than a batch: one short batch
        Lab.Setup(seed: 8);
        var (x, y) = TwoKinds(20, 1);
        var c = new LabelledOnlyClassifier(Tiny);
        var h = c.Train(x, y, unlabelledCount: 65);
        Assert.Equal(3, h.Epochs);
        Assert.Equal(3, h["classification"].Count);
    }

    [Fact]
    public void LearnsAnEasyTaskFromItsLabelsAlone()
    {
        Lab.Setup(seed: 9);
        var (x, y) = TwoKinds(20, 2);
        var (tx, ty) = TwoKinds(200, 3);
        var c = new LabelledOnlyClassifier(Tiny);
        var h = c.Train(x, y, unlabelledCount: 100, testX: tx, testY: ty);
        Assert.Equal(3, h["test error %"].Count);
        Assert.True(c.ErrorRate(tx, ty) < 0.05, $"test error {c.ErrorRate(tx, ty)}");
        Assert.Equal(100 * c.ErrorRate(tx, ty), h.Last("test error %"), 6);
    }
}

public class ConditionalSampleTests
{
    [Fact]
    public void SamplesAreClassMajorWithTheSameStylesInEveryRow()
    {
        Lab.Setup(seed: 12);
        var t = new SemiSupervisedAaeTrainer(new SemiSupervisedAaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 10, LabelledExamples = 21, Classes = 3 });
        var (images, classes) = t.ConditionalSamples(perClass: 4, seed: 5);
        Assert.Equal(new long[] { 12, 784 }, images.shape);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }, classes.data<long>().ToArray());
        // Same seed, same samples; each row decodes the same styles with its own class.
        var (again, _) = t.ConditionalSamples(perClass: 4, seed: 5);
        Assert.True(images.allclose(again));
        Assert.False(images.narrow(0, 0, 4).allclose(images.narrow(0, 4, 4)));
    }

    [Fact]
    public void RecognitionIsKnnAccuracyOnTheSamples()
    {
        Lab.Setup(seed: 13);
        var t = new SemiSupervisedAaeTrainer(new SemiSupervisedAaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 10, LabelledExamples = 20, Classes = 2 });
        var (images, classes) = t.ConditionalSamples(perClass: 5, seed: 1);
        // References that are the samples themselves with their classes: 1-NN recognises every sample.
        var (onSamples, onTest) = t.ConditionalSampleRecognition(images, classes, images, classes, perClass: 5, seed: 1, k: 1);
        Assert.Equal(1.0, onSamples);
        Assert.Equal(1.0, onTest);
        // References labelled the other way round: none.
        var (flipped, _) = t.ConditionalSampleRecognition(images, 1 - classes, images, classes, perClass: 5, seed: 1, k: 1);
        Assert.Equal(0.0, flipped);
    }
}
