using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class VheTrainerTests
{
    [Fact]
    public void SetsAreDrawnFromTheExamplesClassWithoutReplacementWhenPossible()
    {
        var labels = new long[] { 0, 1, 0, 1, 0, 2, 0 }; // class 0: {0,2,4,6}, class 1: {1,3}, class 2: {5}
        var sampler = new SetSampler(labels, seed: 1);
        var examples = new long[] { 0, 1, 5, 6 };
        var d = sampler.Draw(examples, setSize: 3);
        Assert.Equal(12, d.Length);
        for (int i = 0; i < examples.Length; i++)
        {
            var set = d.Skip(3 * i).Take(3).ToArray();
            Assert.All(set, m => Assert.Equal(labels[examples[i]], labels[m]));
            if (labels[examples[i]] == 0) Assert.Equal(3, set.Distinct().Count());
        }
        Assert.Equal(new long[] { 5, 5, 5 }, d.Skip(6).Take(3)); // a class of one: with replacement
        Assert.Equal(new[] { 1f / 3, 1f / 3 }, sampler.ClassKlWeights(new long[] { 0, 5 }, 3, ClassKlWeighting.SetSize));
        Assert.Equal(new[] { 1f / 4, 1f / 2, 1f }, sampler.ClassKlWeights(new long[] { 0, 1, 5 }, 3, ClassKlWeighting.ClassSize));
    }

    [Fact]
    public void UnknownProfileIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => VheConfig.For("fast"));
        Assert.Contains("smoke", e.Message);
        Assert.True(VheConfig.For("smoke").Epochs < VheConfig.For("default").Epochs);
    }

    /// <summary>Two kinds of 784-pixel "images": bright top half or bright bottom half, with noise.</summary>
    static (Tensor Images, Tensor Labels) TwoKinds(int n)
    {
        var labels = torch.arange(n) % 2;
        var top = torch.cat(new[] { torch.ones(392), torch.zeros(392) });
        var proto = torch.stack(new[] { top, top.flip(0) });
        var images = (proto.index_select(0, labels) * 0.8f + 0.2f * torch.rand(n, 784)).clamp(0, 1);
        return (images, labels);
    }

    [Fact]
    public void UnsupervisedRunRecordsCodesPseudoLabelScoresAndGradients()
    {
        Lab.Setup(seed: 5);
        var (images, labels) = TwoKinds(64);
        var cfg = new VheConfig { LatentDim = 2, HiddenDim = 16, SetSize = 3, Clusters = 2, TrainExamples = 0, Epochs = 2, BatchSize = 16, LearningRate = 1e-2 };
        var run = VheTrainer.TrainUnsupervised(cfg, images, labels);
        Assert.Equal(cfg.Epochs + 1, run.Purity.Count);
        Assert.Equal(cfg.Epochs + 1, run.Nmi.Count);
        Assert.All(run.Purity, p => Assert.InRange(p, 0.5, 1.0)); // two balanced classes: purity ≥ 1/2
        Assert.All(run.Nmi, v => Assert.InRange(v, 0.0, 1.0));
        Assert.Equal(new long[] { 64, 4 }, run.Codes!.shape);
        Assert.True(run.Codes.isfinite().all().item<bool>());
        Assert.Equal(cfg.Epochs, run.History["loss"].Count);
        Assert.Equal(cfg.Epochs * 4, run.History.Steps("grad_c").Count);
        Assert.All(run.History["grad_c"], g => Assert.True(g > 0));
        Assert.Equal(run.History["grad_c"][1] / run.History["grad_z"][1], run.GradientRatioCToZ[1], 10);
    }

    [Fact]
    public void SupervisedAndVaeRunsLowerTheirLoss()
    {
        Lab.Setup(seed: 6);
        var (images, labels) = TwoKinds(64);
        var cfg = new VheConfig { LatentDim = 2, HiddenDim = 16, SetSize = 3, TrainExamples = 0, Epochs = 3, BatchSize = 16, LearningRate = 1e-2 };
        var vhe = VheTrainer.TrainSupervised(cfg, images, labels);
        var vae = VheTrainer.TrainVae(cfg, images, labels);
        Assert.Empty(vhe.Purity);
        Assert.True(vhe.History.Last("loss") < vhe.History["loss"][0]);
        Assert.True(vae.History.Last("loss") < vae.History["loss"][0]);
    }
}
