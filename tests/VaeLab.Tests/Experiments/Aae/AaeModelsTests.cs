using TorchSharp;
using VaeLab.Tests.Training;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Losses;

namespace VaeLab.Tests.Experiments.Aae;

public class AaeModelsTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ParameterCountsAtTheDocumentsSizeArePinned()
    {
        Lab.Setup(seed: 1);
        // 784→1000→1000→2: 785·1000 + 1001·1000 + 1001·2.
        Assert.Equal(1_788_002, Count(new AaeEncoder()));
        // 2→1000→1000→784: 3·1000 + 1001·1000 + 1001·784.
        Assert.Equal(1_788_784, Count(new AaeDecoder()));
        // Supervised decoder sees z and a 10-way one-hot: 13·1000 + 1001·1000 + 1001·784.
        Assert.Equal(1_798_784, Count(new AaeDecoder(latentDim: 2, conditionDim: 10)));
        // 2→1000→1000→1: 3·1000 + 1001·1000 + 1001.
        Assert.Equal(1_005_001, Count(new AaeDiscriminator()));
        // Categorical discriminator: 11·1000 + 1001·1000 + 1001.
        Assert.Equal(1_013_001, Count(new AaeDiscriminator(inputDim: 10)));
        // Semi-supervised encoder: the Q above plus a 1000→10 class head.
        Assert.Equal(1_788_002 + 10_010, Count(new SemiSupervisedAaeEncoder()));
        Assert.Equal(AaeMlp.ParameterCount(784, 1000, 2), Count(new AaeEncoder()));
    }

    [Fact]
    public void OutputShapesAndRanges()
    {
        Lab.Setup(seed: 2);
        var x = torch.rand(5, 784);
        var q = new AaeEncoder(hiddenDim: 16, latentDim: 3);
        var z = q.forward(x);
        Assert.Equal(new long[] { 5, 3 }, z.shape);

        var p = new AaeDecoder(latentDim: 3, hiddenDim: 16);
        Assert.Equal(new long[] { 5, 784 }, p.Decode(z).shape);

        var d = new AaeDiscriminator(inputDim: 3, hiddenDim: 16);
        var prob = d.forward(z);
        Assert.Equal(new long[] { 5, 1 }, prob.shape);
        Assert.True(prob.gt(0).all().item<bool>() && prob.lt(1).all().item<bool>());

        var semi = new SemiSupervisedAaeEncoder(hiddenDim: 16, classes: 10, styleDim: 2);
        semi.eval();
        var code = semi.forward(x);
        Assert.Equal(new long[] { 5, 10 }, code.ClassLogits.shape);
        Assert.Equal(new long[] { 5, 10 }, code.Y.shape);
        Assert.Equal(new long[] { 5, 2 }, code.Z.shape);
        Assert.True(torch.allclose(code.Y.sum(1), torch.ones(5), rtol: 0, atol: 1e-5));
        Assert.True(torch.allclose(code.Y, torch.softmax(code.ClassLogits, 1)));
    }

    [Fact]
    public void SupervisedDecoderConcatenatesTheLabelCodeAndChecksIt()
    {
        Lab.Setup(seed: 3);
        var p = new AaeDecoder(latentDim: 2, conditionDim: 10, hiddenDim: 8);
        p.eval();
        var z = torch.randn(4, 2);
        var onehot = nn.functional.one_hot(torch.tensor(new long[] { 0, 3, 9, 3 }), 10).to_type(ScalarType.Float32);
        Assert.True(AaeSnapshot.Equal(p.Decode(z, onehot), p.forward(torch.cat(new[] { z, onehot }, 1))));
        var missing = Assert.Throws<ArgumentException>(() => p.Decode(z));
        Assert.Contains("N×10", missing.Message);
        Assert.Throws<ArgumentException>(() => new AaeDecoder(latentDim: 2, hiddenDim: 8).Decode(z, onehot));
    }

    [Fact]
    public void WrongInputWidthNamesTheExpectedShape()
    {
        var q = new AaeEncoder(hiddenDim: 8);
        var e = Assert.Throws<ArgumentException>(() => q.forward(torch.rand(2, 1, 28, 28)));
        Assert.Contains("N×784", e.Message);
    }

    [Fact]
    public void DropoutActsInTrainModeOnlyAndEvalIsDeterministic()
    {
        Lab.Setup(seed: 4);
        var q = new AaeEncoder(hiddenDim: 64);
        var x = torch.rand(3, 784);
        q.eval();
        Assert.True(AaeSnapshot.Equal(q.forward(x), q.forward(x)));
        q.train();
        Assert.False(AaeSnapshot.Equal(q.forward(x), q.forward(x)));
    }

    [Fact]
    public void PriorsHaveTheirMomentsAndSupport()
    {
        Lab.Setup(seed: 5);
        var g = AaePriors.Gaussian(20_000, 2, 5.0);
        // Sample std of 20k normal draws: standard error 5/sqrt(2·20000) ≈ 0.025 per dimension.
        var std = g.std(0);
        Assert.True(std.sub(5).abs().max().item<float>() < 0.1, $"std {std[0].item<float>()}, {std[1].item<float>()}");
        var c = AaePriors.Categorical(5_000, 10);
        Assert.True(c.sum(1).eq(1).all().item<bool>());
        // Each class has probability 0.1; standard error sqrt(0.09/5000) ≈ 0.0042, allow 5 SE.
        var freq = c.mean(new long[] { 0 });
        Assert.True(freq.sub(0.1).abs().max().item<float>() < 0.021);
        Assert.Throws<ArgumentOutOfRangeException>(() => AaePriors.Gaussian(2, 2, 0));
    }
}
