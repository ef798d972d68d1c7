using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Tests.Training;
using VaeLab.Data;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ElboVsMmdTrainerTests
{
    // One sparse binary image repeated: a target the decoder can fit within a few steps, so the loss must fall.
    static ImageDataset Fake(int n, int seed)
    {
        Lab.Setup(seed);
        var image = (torch.rand(1, 1, 28, 28) < 0.2).to_type(ScalarType.Float32);
        return new ImageDataset("fake", image.expand(n, -1, -1, -1).contiguous(), torch.randint(0, 10, n, dtype: ScalarType.Int64),
                                Enumerable.Range(0, 10).Select(i => $"class {i}").ToArray());
    }

    static T WithTempCache<T>(Func<T> body)
    {
        using var cache = new TempCheckpointCache();
        return body();
    }

    static readonly ElboVsMmdConfig Tiny = ElboVsMmdConfig.For("smoke") with { TrainExamples = 300, Epochs = 2, LearningRate = 1e-3 };

    [Fact]
    public void PaperProfileIsTheDocumentsSettingAndUnknownProfilesAreRefused()
    {
        var paper = ElboVsMmdConfig.For("paper");
        Assert.Equal((2, 100, 1e-4, 50, 60_000, 10_000, 100), (paper.LatentDim, paper.BatchSize, paper.LearningRate, paper.Epochs, paper.TrainExamples, paper.TestExamples, paper.IwaeSamples));
        Assert.Equal(100, ElboVsMmdConfig.For("default").IwaeSamples);
        var e = Assert.Throws<ArgumentException>(() => ElboVsMmdConfig.For("fast"));
        Assert.Contains("smoke", e.Message);
    }

    [Fact]
    public void ElboTrainingLogsEveryTermPerEpochAndPerStepAndIsCached()
    {
        var data = Fake(300, 60);
        WithTempCache(() =>
        {
            var model = new ConvVae();
            var run = ElboVsMmdTrainer.TrainElbo(model, data, Tiny);
            Assert.False(run.FromCache);
            Assert.Equal(6, run.Steps); // 2 epochs of 3 batches of 100
            foreach (var term in new[] { "-elbo", "log p(x|z)", "log p(z)", "log q(z|x)" })
            {
                Assert.Equal(2, run[term].Count);
                Assert.Equal(6, run.PerWindow[term].Length);
            }
            // −ELBO is the negated sum of its three logged terms, per epoch.
            for (int e = 0; e < 2; e++)
                Assert.Equal(run["-elbo"][e], -(run["log p(x|z)"][e] + run["log p(z)"][e] - run["log q(z|x)"][e]), 2);
            Assert.True(run["-elbo"][1] < run["-elbo"][0], "the loss did not fall");

            var again = new ConvVae();
            var cached = ElboVsMmdTrainer.TrainElbo(again, data, Tiny);
            Assert.True(cached.FromCache);
            Assert.Equal(run["-elbo"], cached["-elbo"]);
            var trained = model.parameters().ToArray();
            var loaded = again.parameters().ToArray();
            for (int i = 0; i < trained.Length; i++) Assert.True(trained[i].eq(loaded[i]).all().item<bool>());
            return 0;
        });
    }

    [Fact]
    public void MmdTrainingLogsItsTermsAndWindowsTheSteps()
    {
        var data = Fake(300, 61);
        WithTempCache(() =>
        {
            var run = ElboVsMmdTrainer.TrainMmd(new MmdVae(), data, Tiny);
            Assert.Equal(new[] { "loss", "mmd", "mse" }, run.History.Names.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(run["loss"][0], run["mse"][0] + run["mmd"][0], 5);
            Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, run.WindowEnds("loss"));
            return 0;
        });
    }

    [Fact]
    public void LiteralLossTrainingLogsItsTermsLearnsAndIsCachedApartFromTheElbo()
    {
        var data = Fake(300, 65);
        WithTempCache(() =>
        {
            var run = ElboVsMmdTrainer.TrainLiteral(new ConvVae(), data, Tiny);
            Assert.Equal("literal-loss VAE", run.Name);
            Assert.Equal(new[] { "log p(x|z)", "log p(z)", "log q(z|x)", "loss" }, run.History.Names.OrderBy(k => k, StringComparer.Ordinal));
            // Per epoch: loss = −(B · log p(x|z) + log p(z) − log q(z|x)) with B = 100 and the terms as batch means.
            for (int e = 0; e < 2; e++)
                Assert.Equal(1.0, run["loss"][e] / -(100 * run["log p(x|z)"][e] + run["log p(z)"][e] - run["log q(z|x)"][e]), 4);
            Assert.True(run["log p(x|z)"][1] > run["log p(x|z)"][0], "the reconstruction did not improve");
            Assert.False(ElboVsMmdTrainer.TrainElbo(new ConvVae(), data, Tiny).FromCache);  // its own cache entry
            Assert.True(ElboVsMmdTrainer.TrainLiteral(new ConvVae(), data, Tiny).FromCache);
            return 0;
        });
    }

    [Fact]
    public void APairPerSeedIsInitialisedFromItsSeedAndCachedUnderItsOwnEntries()
    {
        var data = Fake(300, 64);
        WithTempCache(() =>
        {
            var a = ElboVsMmdTrainer.TrainPair(data, Tiny with { Seed = 1 });
            var b = ElboVsMmdTrainer.TrainPair(data, Tiny with { Seed = 2 });
            Assert.Equal((1, 2), (a.Seed, b.Seed));
            Assert.False(a.ElboRun.FromCache || a.MmdRun.FromCache || b.ElboRun.FromCache || b.MmdRun.FromCache);
            Assert.Equal(("ELBO VAE, seed 1", "MMD-VAE, seed 2"), (a.ElboRun.Name, b.MmdRun.Name));
            Assert.NotEqual(a.ElboRun["-elbo"], b.ElboRun["-elbo"]);

            // The initial weights are the models made right after Lab.Seed(seed), the ELBO VAE first.
            Lab.Seed(2);
            var elbo = new ConvVae(Tiny.LatentDim);
            var mmd = new MmdVae(Tiny.LatentDim);
            var again = ElboVsMmdTrainer.TrainPair(data, Tiny with { Seed = 2 });
            Assert.True(again.ElboRun.FromCache && again.MmdRun.FromCache);
            Assert.Equal(b.ElboRun["-elbo"], again.ElboRun["-elbo"]);
            var alone = WithTempCache(() => (ElboVsMmdTrainer.TrainElbo(elbo, data, Tiny with { Seed = 2 }), ElboVsMmdTrainer.TrainMmd(mmd, data, Tiny with { Seed = 2 })));
            Assert.Equal(b.ElboRun["-elbo"], alone.Item1["-elbo"]);
            Assert.Equal(b.MmdRun["loss"], alone.Item2["loss"]);
            return 0;
        });
    }

    [Fact]
    public void TooFewTrainingImagesForABatchIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ElboVsMmdTrainer.TrainMmd(new MmdVae(), Fake(300, 62), Tiny with { TrainExamples = 50 }));
        Assert.Contains("BatchSize", e.Message);
    }
}

public class InferenceTests
{
    [Fact]
    public void MapsInBatchesWithoutGradientsAndRestoresTrainingMode()
    {
        Lab.Setup(seed: 63);
        var model = new MmdVae();
        var x = torch.rand(25, 1, 28, 28);
        var codes = Inference.Map(model, model.Encode, x, batchSize: 10);
        Assert.Equal(new long[] { 25, 2 }, codes.shape);
        Assert.False(codes.requires_grad);
        Assert.True(model.training);
        using (torch.no_grad()) Assert.True(codes.allclose(model.Encode(x), rtol: 1e-5, atol: 1e-6));
        model.eval();
        Inference.Map(model, model.Encode, x);
        Assert.False(model.training);
    }
}
