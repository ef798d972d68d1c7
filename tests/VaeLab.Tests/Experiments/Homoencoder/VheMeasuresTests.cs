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

    [Fact]
    public void ClassSplitsCountTheExamplesThatZMovesAwayFromTheirClassCluster()
    {
        // 3 classes × 40: c puts each class at its own far centre; z is either tiny or ±20 for half of every class.
        var y = torch.tensor(Enumerable.Range(0, 120).Select(i => (long)(i / 40)).ToArray());
        var centres = torch.tensor(new float[] { 0, 0, 10, 0, 0, 10 }).reshape(3, 2);
        var g = new torch.Generator(3);
        var c = centres.index_select(0, y) + 0.1f * torch.randn(120, 2, generator: g);
        var data = new ImageDataset("codes", torch.zeros(120, 1, 28, 28), y, new[] { "a", "b", "c" });
        var cfg = new VheConfig { Clusters = 3, TrainExamples = 0, Epochs = 1, Seed = 2, KMeansIterations = 50, LatentDim = 2 };
        VheRun Run(Tensor z) => new("VHE (unsupervised)", new VaeLab.Training.History(), torch.nn.Linear(1, 1), [], [], torch.cat([c, z], 1));

        var quiet = VheMeasures.ClassSplits(Run(0.1f * torch.randn(120, 2, generator: g)), cfg, data);
        Assert.Equal(0.0, quiet.COnly, 9);
        Assert.Equal(0.0, quiet.WithZ, 9);

        var sign = (torch.arange(120) % 2 * 2 - 1).to_type(ScalarType.Float32).unsqueeze(1);
        var loud = VheMeasures.ClassSplits(Run(20 * sign * torch.ones(120, 2)), cfg, data);
        Assert.Equal(0.0, loud.COnly, 9);
        Assert.True(loud.ByZ >= 0.25, $"z splits no class: {loud}");  // with k = 3 at least one class is cut in two halves

        Assert.Throws<ArgumentException>(() => VheMeasures.ClassSplits(Run(torch.zeros(120, 2)) with { Codes = null }, cfg, data));
        Assert.Throws<ArgumentException>(() => VheMeasures.ClassSplits(Run(torch.zeros(120, 2)), cfg with { TrainExamples = 60 }, data));
    }
}
