using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Collapse;
using VaeLab.Training;
using VaeLab.Tests.Training;

namespace VaeLab.Tests.Experiments.Collapse;

public class CollapseTrainerTests
{
    static DatasetSplits Tiny(int n)
    {
        var g = new torch.Generator(7);
        var train = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        var test = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        return new DatasetSplits(train, test, "tiny", "tiny", "test");
    }

    static CollapseConfig Small => CollapseConfig.For("smoke") with { Epochs = 1, TrainExamples = 32, BatchSize = 16, TestBatch = 16, Evaluations = 2, Checkpoints = 2, ShownImages = 3, LatentDim = 3, ConvChannels = 4 };

    [Fact]
    public void TrainingChangesTheWeightsAndEvaluatesTheStartAndTheEnd()
    {
        Lab.Setup(seed: 2);
        CollapseConvVae? trained = null;
        var run = CollapseTrainer.Train("tiny", () => trained = new CollapseConvVae(3, 4), new ConstantBeta(1), Tiny(32), Small);
        Assert.Equal(2, run.TotalSteps);
        Lab.Seed(Small.Seed);
        var init = new CollapseConvVae(3, 4); // the trainer seeds with cfg.Seed before building, so this is its init
        Assert.All(trained!.parameters().Zip(init.parameters()), pair => Assert.False(pair.First.allclose(pair.Second, 0, 0)));
        Assert.Equal(2, run.History.Steps("kl").Count);
        Assert.Equal(new[] { 1.0, 1.0 }, run.History.Steps("beta"));
        // Step 0 and the end are both evaluated and checkpointed; the end differs from the start.
        Assert.Equal(new[] { 0, 1, 2 }, run.Snapshots.Select(s => s.Step));
        Assert.All(run.Snapshots, s => { Assert.InRange(s.ActiveUnits, 0, 3); Assert.True(s.Kl >= 0); });
        Assert.Equal(new[] { 0, 2 }, run.Checkpoints.Select(c => c.Step));
        Assert.NotEqual(run.Checkpoints[0].Samples, run.Checkpoints[1].Samples);
        Assert.Equal(3 * 784, run.Originals.Length);
        Assert.Equal(CollapseConvVae.ParameterCount(3, 4), run.Parameters);
    }

    [Fact]
    public void TrainingStartsFromTheSameInitForEveryRun()
    {
        Lab.Setup(seed: 2);
        var a = CollapseTrainer.Train("a", () => new MlpVae(new[] { 8 }, 3), new ConstantBeta(0), Tiny(32), Small);
        Lab.Setup(seed: 99);
        var b = CollapseTrainer.Train("b", () => new MlpVae(new[] { 8 }, 3), new ConstantBeta(0), Tiny(32), Small, retrain: true);
        Assert.Equal(a.Checkpoints[0].Samples, b.Checkpoints[0].Samples);
        Assert.Equal(a.History.Steps("recon"), b.History.Steps("recon"));
    }

    [Fact]
    public void ProfilesAreKnownAndUnknownOnesAreRejected()
    {
        Assert.Equal(64, CollapseConfig.For("paper").BatchSize);
        Assert.Equal(64, CollapseConfig.For("default").BatchSize);
        Assert.Contains("smoke", Assert.Throws<ArgumentException>(() => CollapseConfig.For("fast")).Message);
    }

    [Fact]
    public void MeanImageMseIsThePerPixelVarianceAroundTheMeanImage()
    {
        // Two images, constant 0 and 1: the mean image is 0.5 everywhere, each pixel misses by 0.5, MSE 0.25.
        var images = torch.cat(new[] { torch.zeros(1, 1, 28, 28), torch.ones(1, 1, 28, 28) });
        var set = new ImageDataset("two", images, torch.zeros(2, dtype: ScalarType.Int64), new[] { "only" });
        Assert.Equal(0.25, CollapseTrainer.MeanImageMse(set), 6);
    }

    [Fact]
    public void FitToCapsTheProfilesSubsetUnlessTheUserChoseIt()
    {
        var data = Tiny(40);
        Assert.Equal(40, (CollapseConfig.For("paper").FitTo(data)).TrainExamples);
        Assert.Equal(60_000, CollapseConfig.For("paper").FitTo(data, keepTrainExamples: true).TrainExamples);
        Assert.Equal(32, (Small.FitTo(data)).TrainExamples);
    }

    [Fact]
    public void TheElboObjectiveTrainsAnotherRunFromTheSameStart()
    {
        using var cache = new TempCheckpointCache();
        var data = Tiny(32);
        var mse = CollapseTrainer.Train("mse", () => new CollapseConvVae(Small.LatentDim, Small.ConvChannels), new ConstantBeta(1), data, Small);
        var elbo = CollapseTrainer.Train("elbo", () => new CollapseConvVae(Small.LatentDim, Small.ConvChannels), new ConstantBeta(1), data, Small with { Objective = CollapseObjective.BernoulliElbo });
        Assert.False(elbo.FromCache);  // another objective is another cache entry
        // Same initial weights, so the step-0 evaluations agree; the trained "recon" terms are in other units
        // (per-pixel MSE against summed Bernoulli nats per image).
        Assert.Equal(mse.Snapshots[0].Kl, elbo.Snapshots[0].Kl, 6);
        Assert.True(elbo.History.Steps("recon")[0] > 100 * mse.History.Steps("recon")[0]);
        // The test-batch evaluations follow the objective too, and the run says which it trained.
        Assert.True(elbo.Snapshots[0].Reconstruction > 100 * mse.Snapshots[0].Reconstruction);
        Assert.Equal(CollapseObjective.BernoulliElbo, elbo.Objective);
        Assert.Equal(CollapseObjective.DocumentMse, mse.Objective);
        Assert.Contains("Objective", Assert.Throws<ArgumentException>(() => (Small with { Objective = (CollapseObjective)7 }).Validate()).Message);
    }

    /// <summary>MNIST-like: mostly black, with one of four fixed bright blobs per image.</summary>
    static DatasetSplits Sparse(int n)
    {
        var g = new torch.Generator(11);
        var prototypes = (torch.rand(4, 1, 28, 28, generator: g) > 0.85f).to_type(ScalarType.Float32);
        var pick = torch.randint(0, 4, n, generator: g);
        var images = prototypes.index_select(0, pick);
        var set = new ImageDataset("sparse", images, pick, new[] { "a", "b", "c", "d" });
        return new DatasetSplits(set, set, "sparse", "sparse", "test");
    }

    [Fact]
    public void TheOutputBiasStartsAtTheMeanPixelsLogit()
    {
        Lab.Setup(seed: 1);
        Assert.Equal(Math.Log(1.0 / 3), CollapseTrainer.MeanPixelLogit(torch.full(5, 1, 28, 28, 0.25f)), 6);
        var conv = new CollapseConvVae(3, 4);
        conv.SetOutputBias(-1.5);
        Assert.Equal(-1.5f, conv.named_parameters().Single(p => p.name == "deconv2.bias").parameter.item<float>());
        var mlp = new MlpVae(new[] { 8 }, 3);
        mlp.SetOutputBias(-1.5);
        var bias = mlp.named_parameters().Single(p => p.name == "decoder.logits.bias").parameter;
        Assert.Equal(784, bias.numel());
        Assert.True(bias.eq(-1.5f).all().item<bool>());
    }

    [Fact]
    public void AtBetaZeroTheTrainerTrainsAnAutoencoderFromTheMeanPixelStart()
    {
        // β = 0 on data shaped like MNIST: the reconstruction ends far below the mean image's and the posterior
        // widths shrink. (The stall of PyTorch's default start needs the digits and notebook 03's model: its notebook shows it.)
        using var cache = new TempCheckpointCache();
        var data = Sparse(256);
        var cfg = Small with { Epochs = 20, TrainExamples = 256, BatchSize = 16, TestBatch = 64, Evaluations = 4, ConvChannels = 8, LatentDim = 4 };
        double r0 = CollapseTrainer.MeanImageMse(data.Train);
        CollapseConvVae? model = null;
        var run = CollapseTrainer.Train("mean-pixel start", () => model = new CollapseConvVae(4, 8), new ConstantBeta(0), data, cfg);
        Assert.True(run.Final.Reconstruction < 0.5 * r0, $"reconstruction {run.Final.Reconstruction} against R0 {r0}");
        Assert.True(run.Final.MeanStd < 0.1, $"mean std {run.Final.MeanStd}");
        Assert.Equal(1, run.Snapshots[0].MeanStd, 1);  // log-variance heads start near 0
        var off = CollapseTrainer.Train("default start", () => new CollapseConvVae(4, 8), new ConstantBeta(0), data, cfg with { OutputBiasAtMeanPixel = false });
        Assert.False(off.FromCache);  // the start is part of the cache key
        Assert.NotEqual(run.Snapshots[0].Reconstruction, off.Snapshots[0].Reconstruction);
    }

    [Fact]
    public void SampleSpreadIsZeroForIdenticalDrawsAndThePixelStdOtherwise()
    {
        var same = Enumerable.Repeat(0.3f, 3 * 784).ToArray();
        Assert.Equal(0, new ImageCheckpoint(0, same, same, 3).SampleSpread(), 6);
        // Two draws, one black and one white: every pixel's population std is 0.5.
        var twoTone = Enumerable.Repeat(0f, 784).Concat(Enumerable.Repeat(1f, 784)).ToArray();
        Assert.Equal(0.5, new ImageCheckpoint(0, twoTone, twoTone, 2).SampleSpread(), 6);
        // Half the pixels differ by 0.2 between two draws: std 0.1 there, 0 elsewhere.
        var a = Enumerable.Repeat(0.5f, 784).ToArray();
        var b = a.Select((v, i) => i < 392 ? v + 0.2f : v).ToArray();
        Assert.Equal(0.05, new ImageCheckpoint(0, a.Concat(b).ToArray(), a.Concat(b).ToArray(), 2).SampleSpread(), 5);
        Assert.True(double.IsNaN(new ImageCheckpoint(0, a, a, 1).SampleSpread()));
    }
}
