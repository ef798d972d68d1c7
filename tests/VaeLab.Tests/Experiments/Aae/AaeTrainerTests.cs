using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.Aae;

public class AaeTrainerTests
{
    static readonly AaeConfig Tiny = new() { HiddenDim = 16, LatentDim = 2, BatchSize = 8, Epochs = 1 };

    static (AaeTrainer Trainer, Tensor X, Tensor Y) Warm(int conditionClasses = 0)
    {
        Lab.Setup(seed: 21);
        var t = new AaeTrainer(Tiny, conditionClasses);
        var x = torch.rand(8, 784);
        var y = torch.tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        // One full step first, so that every optimizer has momentum that a stray step() would apply.
        var labels = conditionClasses > 0 ? y : null;
        t.ReconstructionPhase(x, labels); t.DiscriminatorPhase(x); t.GeneratorPhase(x);
        return (t, x, y);
    }

    [Fact]
    public void DiscriminatorPhaseMovesOnlyD()
    {
        var (t, x, _) = Warm();
        var (q, p, d) = (AaeSnapshot.Of(t.Q), AaeSnapshot.Of(t.P), AaeSnapshot.Of(t.D));
        var r = t.DiscriminatorPhase(x);
        Assert.True(r.Updated);
        Assert.True(AaeSnapshot.Same(t.Q, q), "the discriminator phase changed Q");
        Assert.True(AaeSnapshot.Same(t.P, p), "the discriminator phase changed P");
        Assert.False(AaeSnapshot.Same(t.D, d), "the discriminator phase left D unchanged");
        Assert.True(t.Q.training, "Q must be back in train mode after the discriminator phase");
    }

    [Fact]
    public void GeneratorPhaseMovesOnlyQ()
    {
        var (t, x, _) = Warm();
        var (q, p, d) = (AaeSnapshot.Of(t.Q), AaeSnapshot.Of(t.P), AaeSnapshot.Of(t.D));
        t.GeneratorPhase(x);
        Assert.False(AaeSnapshot.Same(t.Q, q), "the generator phase left Q unchanged");
        Assert.True(AaeSnapshot.Same(t.P, p), "the generator phase changed P");
        Assert.True(AaeSnapshot.Same(t.D, d), "the generator phase changed D");
    }

    [Fact]
    public void ReconstructionPhaseMovesPAndQButNotD()
    {
        var (t, x, _) = Warm();
        var (q, p, d) = (AaeSnapshot.Of(t.Q), AaeSnapshot.Of(t.P), AaeSnapshot.Of(t.D));
        t.ReconstructionPhase(x);
        Assert.False(AaeSnapshot.Same(t.Q, q), "reconstruction left Q unchanged");
        Assert.False(AaeSnapshot.Same(t.P, p), "reconstruction left P unchanged");
        Assert.True(AaeSnapshot.Same(t.D, d), "reconstruction changed D");
    }

    [Fact]
    public void EvaluationChangesNothingAndRestoresTrainMode()
    {
        var (t, x, _) = Warm();
        var (q, p, d) = (AaeSnapshot.Of(t.Q), AaeSnapshot.Of(t.P), AaeSnapshot.Of(t.D));
        var z = t.Encode(x);
        var images = t.Decode(z);
        double acc = t.DiscriminatorAccuracy(x);
        Assert.Equal(new long[] { 8, 2 }, z.shape);
        Assert.Equal(new long[] { 8, 784 }, images.shape);
        Assert.True(images.ge(0).all().item<bool>() && images.le(1).all().item<bool>());
        Assert.InRange(acc, 0, 1);
        Assert.True(AaeSnapshot.Equal(z, t.Encode(x)), "Encode must be deterministic (eval mode, no dropout)");
        Assert.True(AaeSnapshot.Same(t.Q, q) && AaeSnapshot.Same(t.P, p) && AaeSnapshot.Same(t.D, d), "evaluation changed weights");
        Assert.True(t.Q.training && t.P.training && t.D.training, "evaluation must restore train mode");
    }

    [Fact]
    public void NonFiniteGuardSkipsTheUpdate()
    {
        var (t, x, _) = Warm();
        var q = AaeSnapshot.Of(t.Q);
        var r = t.GeneratorPhase(x * float.NaN, new StepContext("test", NonFinitePolicy.Skip));
        Assert.False(r.Updated);
        Assert.True(AaeSnapshot.Same(t.Q, q));
        Assert.Throws<NonFiniteLossException>(() => t.GeneratorPhase(x * float.NaN, new StepContext("test")));
        Assert.True(AaeSnapshot.Same(t.Q, q));
    }

    [Fact]
    public void SupervisedVariantFeedsTheLabelAndNeedsIt()
    {
        var (t, x, y) = Warm(conditionClasses: 10);
        Assert.Equal(10, t.P.ConditionDim);
        var e = Assert.Throws<ArgumentException>(() => t.ReconstructionPhase(x));
        Assert.Contains("labels", e.Message);
        var z = t.Encode(x);
        // Same style, different label → a different image: the decoder uses the label.
        var a = t.Decode(z, y);
        var b = t.Decode(z, (y + 1) % 10);
        Assert.False(torch.allclose(a, b));
    }

    [Fact]
    public void EachPhaseLowersItsOwnLossOnTheSameBatch()
    {
        // Without dropout the losses are deterministic functions of the weights; one Adam step from zero moments
        // moves every weight by about −lr·sign(gradient), a descent direction, so each loss must drop. This pins the
        // signs: a generator that maximised −log D would raise it.
        Lab.Setup(seed: 22);
        var t = new AaeTrainer(Tiny with { Dropout = 0, HiddenDim = 32 });
        var x = torch.rand(16, 784);
        double GeneratorLoss() { using var _ = torch.no_grad(); return Adversarial.GeneratorLoss(t.D.forward(t.Q.forward(x))).item<float>(); }
        double g0 = GeneratorLoss();
        t.GeneratorPhase(x);
        Assert.True(GeneratorLoss() < g0, $"generator loss {g0} → {GeneratorLoss()}");
        double r0 = t.ReconstructionPhase(x).Loss.item<float>();
        double r1 = t.ReconstructionPhase(x).Loss.item<float>();
        Assert.True(r1 < r0, $"reconstruction loss {r0} → {r1}");
    }

    [Fact]
    public void TrainRecordsEveryPhaseThroughTheLoop()
    {
        Lab.Setup(seed: 23);
        var t = new AaeTrainer(Tiny with { Epochs = 2, BatchSize = 16 }, conditionClasses: 10);
        var x = torch.rand(48, 784);
        var y = torch.randint(0, 10, new long[] { 48 });
        var p = AaeSnapshot.Of(t.P);
        var h = t.Train(x, y);
        foreach (var key in new[] { "reconstruction", "discriminator", "generator", "D accuracy" })
        {
            Assert.Equal(2, h[key].Count);
            Assert.True(h[key].All(double.IsFinite), key);
        }
        Assert.False(AaeSnapshot.Same(t.P, p));
        Assert.Throws<ArgumentException>(() => t.Train(x, null));
    }

    [Fact]
    public void ProfilesAndValidation()
    {
        Assert.Equal(1000, AaeConfig.For("paper").HiddenDim);
        Assert.Equal(5.0, AaeConfig.For("paper").PriorStd);
        Assert.Equal(6e-4, AaeConfig.For("paper").ReconstructionLr);
        Assert.Equal(8e-4, AaeConfig.For("paper").RegularizationLr);
        Assert.True(AaeConfig.For("smoke").Epochs <= AaeConfig.For("default").Epochs);
        var e = Assert.Throws<ArgumentException>(() => AaeConfig.For("fast"));
        Assert.Contains("smoke", e.Message);
        Assert.Throws<ArgumentException>(() => new AaeTrainer(Tiny with { PriorStd = 0 }));
    }
}
