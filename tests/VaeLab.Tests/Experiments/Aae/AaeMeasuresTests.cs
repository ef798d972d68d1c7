using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Aae;
using VaeLab.Metrics;

namespace VaeLab.Tests.Experiments.Aae;

public class AaeMeasuresTests
{
    static ImageDataset Set(int n, int seed, int classes = 2)
    {
        torch.manual_seed(seed);
        return new ImageDataset("t", torch.rand(n, 1, 28, 28), torch.arange(n, dtype: ScalarType.Int64) % classes,
            Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray());
    }

    [Fact]
    public void SeededTrainersAreInitialisedByTheirSeedAlone()
    {
        var cfg = new AaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 8, Epochs = 1, Seed = 21 };
        var a = AaeTrainer.Seeded(cfg);
        torch.rand(100);  // the global generator moves on in between
        var b = AaeTrainer.Seeded(cfg);
        var c = AaeTrainer.Seeded(cfg with { Seed = 22 });
        var (pa, pb, pc) = (a.Q.parameters().First(), b.Q.parameters().First(), c.Q.parameters().First());
        Assert.True(pa.eq(pb).all().item<bool>());
        Assert.False(pa.eq(pc).all().item<bool>());

        var semi = new SemiSupervisedAaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 10, LabelledExamples = 20, Classes = 2, Seed = 5 };
        Assert.True(SemiSupervisedAaeTrainer.Seeded(semi).Q.parameters().First().eq(SemiSupervisedAaeTrainer.Seeded(semi).Q.parameters().First()).all().item<bool>());
        Assert.True(LabelledOnlyClassifier.Seeded(semi).Q.parameters().First().eq(LabelledOnlyClassifier.Seeded(semi).Q.parameters().First()).all().item<bool>());
        Assert.False(LabelledOnlyClassifier.Seeded(semi).Q.parameters().First().eq(LabelledOnlyClassifier.Seeded(semi with { Seed = 6 }).Q.parameters().First()).all().item<bool>());
    }

    [Fact]
    public void PriorFitIsTheCodesScaleMmdAndTwoSampleTest()
    {
        var aae = AaeTrainer.Seeded(new AaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 8, Epochs = 1, Seed = 3 });
        var x = Set(200, 4).Flat;
        var fit = AaeMeasures.PriorFit(aae, x);
        var z = aae.Encode(x);
        var stds = AaeMetrics.StdPerDimension(z);
        Assert.Equal(stds, fit.Stds);
        Assert.Equal(stds.Max(s => Math.Abs(s - 5)), fit.MaxStdError);
        Assert.Equal(AaeMetrics.Mmd2ToGaussian(z, 5, bandwidth: 5, seed: 3), fit.Mmd2);
        Assert.Equal(fit.Mmd2, AaeMeasures.PriorFit(aae, x).Mmd2);  // seeded: the same number again
        Assert.Equal(aae.CodesVsPriorTwoSample(x, seed: 3).HeldOutAccuracy, fit.TwoSample.HeldOutAccuracy);
        // An untrained encoder's codes are far narrower than the prior: the scale error is large, the classifier sees it.
        Assert.True(fit.MaxStdError > 3, $"{fit.MaxStdError}");
        Assert.True(fit.TwoSample.HeldOutAccuracy > 0.8, $"{fit.TwoSample.HeldOutAccuracy}");
    }

    [Fact]
    public void CodeKnnAccuracyVotesWithTheTrainingCodes()
    {
        var aae = AaeTrainer.Seeded(new AaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 8, Epochs = 1 }, conditionClasses: 2);
        var (train, test) = (Set(60, 5), Set(40, 6));
        Assert.Equal(Knn.Accuracy(aae.Encode(train.Flat), train.Labels, aae.Encode(test.Flat), test.Labels, 5), AaeMeasures.CodeKnnAccuracy(aae, train, test));
    }

    [Fact]
    public void LabelGainComparesBothClassifiersOnTheTestImages()
    {
        var cfg = new SemiSupervisedAaeConfig { HiddenDim = 16, LatentDim = 2, BatchSize = 10, LabelledExamples = 20, Classes = 2, Seed = 7 };
        var semi = SemiSupervisedAaeTrainer.Seeded(cfg);
        var only = LabelledOnlyClassifier.Seeded(cfg);
        var (train, test) = (Set(60, 8), Set(50, 9));
        var g = AaeMeasures.LabelGain(semi, only, train, test, sampleSeed: 2);
        Assert.Equal(100 * semi.ErrorRate(test.Flat, test.Labels), g.SemiSupervisedError);
        Assert.Equal(100 * only.ErrorRate(test.Flat, test.Labels), g.LabelledOnlyError);
        Assert.Equal(g.LabelledOnlyError - g.SemiSupervisedError, g.Gain);
        double p = g.LabelledOnlyError / 100;
        Assert.Equal(100 * Math.Sqrt(2 * p * (1 - p) / 50), g.GainStandardError, 12);
        var (onSamples, onReal) = semi.ConditionalSampleRecognition(train.Flat, train.Labels, test.Flat, test.Labels, perClass: 100, seed: 2);
        Assert.Equal((onSamples, onReal), (g.OnSamples, g.OnRealTest));
        Assert.Equal(onSamples / onReal, g.Recognition);
    }
}
