using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;

namespace VaeLab.Tests.Experiments.Aae;

public class SemiSupervisedAaeTrainerTests
{
    static readonly SemiSupervisedAaeConfig Tiny = new() { HiddenDim = 32, LatentDim = 2, BatchSize = 10, LabelledExamples = 20, Epochs = 1 };

    static (SemiSupervisedAaeTrainer T, Tensor X, Tensor Y) Warm()
    {
        Lab.Setup(seed: 31);
        var t = new SemiSupervisedAaeTrainer(Tiny);
        var x = torch.rand(20, 784);
        var y = torch.arange(20, dtype: ScalarType.Int64) % 10;
        t.ReconstructionPhase(x); t.DiscriminatorPhase(x); t.GeneratorPhase(x); t.ClassificationPhase(x, y);
        return (t, x, y);
    }

    static (Tensor[] Q, Tensor[] P, Tensor[] G, Tensor[] C) All(SemiSupervisedAaeTrainer t)
        => (AaeSnapshot.Of(t.Q), AaeSnapshot.Of(t.P), AaeSnapshot.Of(t.DGauss), AaeSnapshot.Of(t.DCat));

    [Fact]
    public void DiscriminatorPhaseMovesOnlyTheTwoDiscriminators()
    {
        var (t, x, _) = Warm();
        var s = All(t);
        t.DiscriminatorPhase(x);
        Assert.True(AaeSnapshot.Same(t.Q, s.Q) && AaeSnapshot.Same(t.P, s.P));
        Assert.False(AaeSnapshot.Same(t.DGauss, s.G));
        Assert.False(AaeSnapshot.Same(t.DCat, s.C));
    }

    [Fact]
    public void GeneratorAndClassificationPhasesMoveOnlyQ()
    {
        var (t, x, y) = Warm();
        var s = All(t);
        t.GeneratorPhase(x);
        Assert.False(AaeSnapshot.Same(t.Q, s.Q));
        Assert.True(AaeSnapshot.Same(t.P, s.P) && AaeSnapshot.Same(t.DGauss, s.G) && AaeSnapshot.Same(t.DCat, s.C));
        s = All(t);
        t.ClassificationPhase(x, y);
        Assert.False(AaeSnapshot.Same(t.Q, s.Q));
        Assert.True(AaeSnapshot.Same(t.P, s.P) && AaeSnapshot.Same(t.DGauss, s.G) && AaeSnapshot.Same(t.DCat, s.C));
    }

    [Fact]
    public void ReconstructionPhaseMovesPAndQOnly()
    {
        var (t, x, _) = Warm();
        var s = All(t);
        t.ReconstructionPhase(x);
        Assert.False(AaeSnapshot.Same(t.Q, s.Q));
        Assert.False(AaeSnapshot.Same(t.P, s.P));
        Assert.True(AaeSnapshot.Same(t.DGauss, s.G) && AaeSnapshot.Same(t.DCat, s.C));
    }

    [Fact]
    public void ClassificationAndGeneratorPhasesLowerTheirOwnLoss()
    {
        // Dropout off: deterministic losses; one Adam step from zero moments is a descent step (see AaeTrainerTests).
        Lab.Setup(seed: 33);
        var t = new SemiSupervisedAaeTrainer(Tiny with { Dropout = 0 });
        var x = torch.rand(20, 784);
        var y = torch.arange(20, dtype: ScalarType.Int64) % 10;
        double c0 = t.ClassificationPhase(x, y).Loss.item<float>();
        Assert.InRange(c0, 0.5 * Math.Log(10), 2 * Math.Log(10));
        Assert.True(t.ClassificationPhase(x, y).Loss.item<float>() < c0);
        double g0 = t.GeneratorPhase(x).Loss.item<float>();
        Assert.True(t.GeneratorPhase(x).Loss.item<float>() < g0);
    }

    [Fact]
    public void EncodeAndDecodeShapesAndEvalLeavesWeights()
    {
        var (t, x, _) = Warm();
        var s = All(t);
        var (y, z) = t.Encode(x);
        Assert.Equal(new long[] { 20, 10 }, y.shape);
        Assert.Equal(new long[] { 20, 2 }, z.shape);
        Assert.Equal(new long[] { 20, 784 }, t.Decode(z, y).shape);
        Assert.Equal(new long[] { 20 }, t.Predict(x).shape);
        Assert.True(AaeSnapshot.Same(t.Q, s.Q) && AaeSnapshot.Same(t.P, s.P));
        Assert.True(t.Q.training);
    }

    [Fact]
    public void TrainRecordsLossesAndTestErrorPerEpoch()
    {
        Lab.Setup(seed: 32);
        var t = new SemiSupervisedAaeTrainer(Tiny with { Epochs = 2 });
        var x = torch.rand(40, 784);
        var y = torch.arange(40, dtype: ScalarType.Int64) % 10;
        var h = t.Train(x, x[..20], y[..20], x[20..], y[20..]);
        foreach (var key in new[] { "reconstruction", "discriminator", "generator", "classification", "D accuracy", "test error %" })
            Assert.Equal(2, h[key].Count);
        Assert.InRange(h.Last("test error %"), 0, 100);
    }

    [Fact]
    public void LabelCountMustBeBalanced()
    {
        var e = Assert.Throws<ArgumentException>(() => new SemiSupervisedAaeTrainer(Tiny with { LabelledExamples = 25 }));
        Assert.Contains("multiple of Classes", e.Message);
    }
}
