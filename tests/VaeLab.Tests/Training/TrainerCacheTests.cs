using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Aae;
using VaeLab.Experiments.Collapse;
using VaeLab.Experiments.Gaussians;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

/// <summary>
/// Every notebook's training goes through the checkpoint cache: a second call with the same settings, data and
/// initial weights loads the trained weights and the records instead of training, and <c>retrain</c> trains again.
/// </summary>
public sealed class TrainerCacheTests : IDisposable
{
    readonly TempCheckpointCache _cache = new();

    public TrainerCacheTests() => RunLog.Begin();

    public void Dispose() => _cache.Dispose();

    static float[] Weights(params nn.Module[] modules) =>
        modules.SelectMany(m => m.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)).SelectMany(kv => kv.Value.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray()).ToArray();

    [Fact]
    public void CollapseRunsAreLoadedWithTheirDiagnosticsAndRetrainTrains()
    {
        Lab.Setup(seed: 3);
        var g = new torch.Generator(9);
        var images = new ImageDataset("tiny", torch.rand(32, 1, 28, 28, generator: g), torch.zeros(32, dtype: ScalarType.Int64), new[] { "only" });
        var data = new DatasetSplits(images, images, "tiny", "tiny", "test");
        var cfg = CollapseConfig.For("smoke") with { Epochs = 1, TrainExamples = 32, BatchSize = 16, TestBatch = 16, Evaluations = 2, Checkpoints = 2, ShownImages = 2, LatentDim = 3, MlpHidden = new[] { 8 } };
        MlpVae? first = null, second = null;

        var a = CollapseTrainer.Train("a", () => first = new MlpVae(cfg.MlpHidden, cfg.LatentDim), new CyclicalBeta(2, 0.5), data, cfg);
        var b = CollapseTrainer.Train("b", () => second = new MlpVae(cfg.MlpHidden, cfg.LatentDim), new CyclicalBeta(2, 0.5), data, cfg);
        Assert.False(a.FromCache);
        Assert.True(b.FromCache);
        Assert.Equal("b", b.Name);
        Assert.Equal(Weights(first!), Weights(second!));
        Assert.Equal(a.History.Steps("kl"), b.History.Steps("kl"));
        Assert.Equal(a.Snapshots.Select(s => (s.Step, s.Kl, s.ActiveUnits)), b.Snapshots.Select(s => (s.Step, s.Kl, s.ActiveUnits)));
        Assert.Equal(a.Checkpoints[^1].Samples, b.Checkpoints[^1].Samples);
        Assert.Equal(a.Snapshots[^1].Bands.StdMax, b.Snapshots[^1].Bands.StdMax);

        // Another schedule is another run; retrain ignores the entry.
        Assert.False(CollapseTrainer.Train("c", () => new MlpVae(cfg.MlpHidden, cfg.LatentDim), new CyclicalBeta(3, 0.5), data, cfg).FromCache);
        Assert.False(CollapseTrainer.Train("d", () => new MlpVae(cfg.MlpHidden, cfg.LatentDim), new CyclicalBeta(2, 0.5), data, cfg, retrain: true).FromCache);
    }

    [Fact]
    public void AaeNetworksAreLoadedAndOtherDataIsAnotherEntry()
    {
        var cfg = new AaeConfig { HiddenDim = 16, BatchSize = 8, Epochs = 1 };
        Lab.Setup(seed: 4);
        var x = torch.rand(16, 784, generator: new torch.Generator(1));
        var t1 = new AaeTrainer(cfg);
        var h1 = t1.TrainCached(x);
        Lab.Setup(seed: 4);
        var t2 = new AaeTrainer(cfg);
        var h2 = t2.TrainCached(x);
        Assert.False(h1.FromCache);
        Assert.True(h2.FromCache);
        Assert.Equal(Weights(t1.Q, t1.P, t1.D), Weights(t2.Q, t2.P, t2.D));
        Assert.Equal(h1["reconstruction"], h2["reconstruction"]);

        Lab.Setup(seed: 4);
        var t3 = new AaeTrainer(cfg);
        Assert.False(t3.TrainCached(torch.rand(16, 784, generator: new torch.Generator(2))).FromCache);

        // Other initial weights (another setup seed) are another entry too.
        Lab.Setup(seed: 5);
        var t4 = new AaeTrainer(cfg);
        Assert.False(t4.TrainCached(x).FromCache);
    }

    [Fact]
    public void SemiSupervisedAaeIsLoadedWithItsTestErrors()
    {
        var cfg = new SemiSupervisedAaeConfig { HiddenDim = 16, BatchSize = 10, Epochs = 1, LabelledExamples = 10, Classes = 2 };
        var g = new torch.Generator(3);
        var x = torch.rand(20, 784, generator: g);
        var y = torch.arange(10, dtype: ScalarType.Int64) % 2;
        Lab.Setup(seed: 6);
        var t1 = new SemiSupervisedAaeTrainer(cfg);
        var h1 = t1.TrainCached(x, x.narrow(0, 0, 10), y, x.narrow(0, 0, 10), y);
        Lab.Setup(seed: 6);
        var t2 = new SemiSupervisedAaeTrainer(cfg);
        var h2 = t2.TrainCached(x, x.narrow(0, 0, 10), y, x.narrow(0, 0, 10), y);
        Assert.True(h2.FromCache);
        Assert.Equal(Weights(t1.Q, t1.P, t1.DGauss, t1.DCat), Weights(t2.Q, t2.P, t2.DGauss, t2.DCat));
        Assert.Equal(h1["test error %"], h2["test error %"]);
    }

    [Fact]
    public void UnsupervisedVheIsLoadedWithItsCodesAndPseudoLabelScores()
    {
        Lab.Setup(seed: 7);
        var images = torch.rand(40, 784, generator: new torch.Generator(4));
        var labels = torch.arange(40, dtype: ScalarType.Int64) % 2;
        var cfg = VheConfig.For("smoke") with { TrainExamples = 40, Epochs = 2, BatchSize = 20, SetSize = 2, Clusters = 2, HiddenDim = 16, LatentDim = 3 };
        var a = VheTrainer.TrainUnsupervised(cfg, images, labels);
        var b = VheTrainer.TrainUnsupervised(cfg, images, labels);
        Assert.True(b.FromCache);
        Assert.Equal(Weights(a.Model), Weights(b.Model));
        Assert.True(a.Codes!.allclose(b.Codes!, 0, 0), "the per-example codes are restored");
        Assert.Equal(a.Nmi, b.Nmi);
        Assert.Equal(a.History.Steps("grad_c"), b.History.Steps("grad_c"));
        Assert.True(VheTrainer.TrainVae(cfg, images, labels) is { FromCache: false });
        Assert.True(VheTrainer.TrainVae(cfg, images, labels) is { FromCache: true });
        Assert.True(VheTrainer.TrainSupervised(cfg, images, labels, retrain: true) is { FromCache: false });
    }

    [Fact]
    public void GaussiansModelsAreLoadedAndTheRngContinuesAsAfterTraining()
    {
        var cfg = GaussiansConfig.For("smoke") with { TrainExamples = 100, Epochs = 3, BatchSize = 50 };
        var train = GaussianMixture2D.Sample(cfg.TrainExamples, cfg.DataSeed);
        Lab.Setup(seed: 8, threads: 1);
        var ae1 = GaussiansTrainer.TrainAutoencoder(cfg, train);
        var after1 = torch.randn(4);
        Lab.Setup(seed: 8, threads: 1);
        var ae2 = GaussiansTrainer.TrainAutoencoder(cfg, train);
        var after2 = torch.randn(4);
        Assert.True(ae2.FromCache);
        Assert.Equal(Weights(ae1.Model), Weights(ae2.Model));
        Assert.True(after1.allclose(after2, 0, 0), "cells after a cached load draw the same random numbers as after training");
        // Trained or loaded, the model is handed over as training left it; evaluation switches it only for its own duration.
        Assert.Equal(ae1.Model.training, ae2.Model.training);
        Assert.Equal(ae1.Model.training, GaussiansTrainer.Reconstruct(ae2.Model, train) is not null && ae2.Model.training);

        Lab.Setup(seed: 8, threads: 1);
        var vae1 = GaussiansTrainer.TrainVae(cfg, train);
        Lab.Setup(seed: 8, threads: 1);
        var vae2 = GaussiansTrainer.TrainVae(cfg, train);
        Assert.True(vae2.FromCache);
        Assert.Equal(vae1.History["elbo"], vae2.History["elbo"]);
    }
}
