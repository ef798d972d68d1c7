using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Homoencoder;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class VheMeasuresTests
{
    /// <summary>n images of 3 kinds (bright top, middle or bottom third) with noise; label = kind.</summary>
    static ImageDataset ThreeKinds(int n, double noise)
    {
        torch.manual_seed(5);
        var y = torch.arange(n, dtype: ScalarType.Int64) % 3;
        var patterns = torch.zeros(3, 28, 28);
        for (int k = 0; k < 3; k++) patterns[k, TensorIndex.Slice(k * 9, k * 9 + 9), ..] = 1;
        var x = (patterns.index_select(0, y) * (1 - noise) + torch.rand(n, 28, 28) * noise).unsqueeze(1);
        return new ImageDataset("three kinds", x, y, new[] { "top", "middle", "bottom" });
    }

    [Fact]
    public void PixelKMeansFindsCleanlySeparatedKindsAndUsesOnlyTheFirstExamples()
    {
        Lab.Setup(seed: 1);
        var data = ThreeKinds(90, noise: 0.2);
        var cfg = new VheConfig { Clusters = 3, TrainExamples = 60, Epochs = 2, Seed = 4 };
        var s = VheMeasures.PixelKMeans(cfg, data);
        Assert.Equal(1.0, s.Nmi, 9);
        Assert.Equal(1.0, s.Purity, 9);
        // Pure noise: the clusters say nothing about the labels.
        var noiseOnly = ThreeKinds(300, noise: 1.0);
        var n = VheMeasures.PixelKMeans(cfg with { TrainExamples = 0 }, noiseOnly);
        Assert.True(n.Nmi < 0.1, $"NMI on noise {n.Nmi}");
    }

    [Fact]
    public void SingletonCodesHaveOneRowPerExampleAndClassInformationIsAnAccuracy()
    {
        Lab.Setup(seed: 2);
        var data = ThreeKinds(60, noise: 0.2);
        var model = new Vhe(latentDim: 4, hidden: 16);
        var (c, z) = VheMeasures.SingletonCodes(model, data.Flat);
        Assert.Equal(new long[] { 60, 4 }, c.shape);
        Assert.Equal(new long[] { 60, 4 }, z.shape);
        // c with D = {x} is the c-encoder's mean of x alone: equal inputs give equal c.
        var (c2, _) = VheMeasures.SingletonCodes(model, data.Flat.narrow(0, 0, 10));
        Assert.True(c.narrow(0, 0, 10).allclose(c2, atol: 1e-6));
        var info = VheMeasures.ClassInformation(model, new VheConfig { TrainExamples = 0 }, data, k: 3);
        Assert.InRange(info.KnnC, 0, 1);
        Assert.InRange(info.KnnZ, 0, 1);
        Assert.Equal(3, info.K);
        // Even an untrained c-encoder is a random projection of the pixels, which keeps the three kinds apart.
        Assert.True(info.KnnC > 0.9, $"kNN on c {info.KnnC}");
    }
}
