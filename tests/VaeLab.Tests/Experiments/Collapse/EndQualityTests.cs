using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Collapse;
using VaeLab.Metrics;
using VaeLab.Tests.Training;

namespace VaeLab.Tests.Experiments.Collapse;

public class EndQualityTests
{
    [Fact]
    public void SpeckleSeesIsolatedSpecksAndNotSmoothShadingOrEdges()
    {
        // A smooth ramp and a clean vertical edge equal their 3×3 medians everywhere (the border is replicated): no speckle.
        var ramp = torch.linspace(0, 1, 28).reshape(1, 1, 1, 28).expand(1, 1, 28, 28).contiguous();
        var edge = torch.zeros(1, 1, 28, 28); edge.narrow(3, 14, 14).fill_(1);
        Assert.Equal(0, EndQualities.Speckle(ramp), 9);
        Assert.Equal(0, EndQualities.Speckle(edge), 9);
        // One isolated pixel of 1 on 0: its median is 0, every neighbour's median stays 0; speckle = 1 / 784.
        var speck = torch.zeros(1, 1, 28, 28); speck[0, 0, 10, 10] = torch.tensor(1f);
        Assert.Equal(1.0 / 784, EndQualities.Speckle(speck), 6);
        // Two specks on the edge image, one bright in the dark half and one dark in the bright half: one each. Over a batch
        // of the clean and the noisy image, the mean is half that.
        var noisy = edge.clone(); noisy[0, 0, 5, 5] = torch.tensor(1f); noisy[0, 0, 20, 20] = torch.tensor(0f);
        Assert.Equal(2.0 / 784, EndQualities.Speckle(noisy), 6);
        Assert.Equal(1.0 / 784, EndQualities.Speckle(torch.cat(new[] { edge, noisy })), 6);
        Assert.Throws<ArgumentException>(() => EndQualities.Speckle(torch.zeros(2, 784)));
    }

    [Fact]
    public void ConfidentShareIsKnnAgreement()
    {
        var refs = torch.tensor(new float[,] { { 0 }, { 0.1f }, { 0.2f }, { 5 }, { 5.1f }, { 5.2f } });
        var labels = torch.tensor(new long[] { 0, 0, 0, 1, 1, 1 });
        var queries = torch.tensor(new float[,] { { 0.05f }, { 2.6f }, { 5.05f } });
        // k = 3: the first and last see three of one class; 2.6 sees 0.2, then 0.1 and 5 … two of one class at most.
        Assert.Equal(2 / 3.0, Knn.ConfidentShare(refs, labels, queries, k: 3, agree: 3), 12);
        Assert.Equal(1.0, Knn.ConfidentShare(refs, labels, queries, k: 3), 12);  // default k − 1 = 2
    }

    [Fact]
    public void InceptionScoreGoesFromOneForAlikeQueriesToTheClassCountForConfidentVariedOnes()
    {
        // Three classes of references, three points each, far apart on a line.
        var refs = torch.tensor(new float[,] { { 0 }, { 0.1f }, { 0.2f }, { 10 }, { 10.1f }, { 10.2f }, { 20 }, { 20.1f }, { 20.2f } });
        var labels = torch.tensor(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 });
        // Confident and evenly spread: p(y|x) one-hot, p(y) uniform: exp(ln 3) = 3.
        Assert.Equal(3.0, Knn.InceptionScore(refs, labels, torch.tensor(new float[,] { { 0.1f }, { 10.1f }, { 20.1f } }), k: 3), 9);
        // All alike (one class every time): p(y|x) = p(y): 1.
        Assert.Equal(1.0, Knn.InceptionScore(refs, labels, torch.tensor(new float[,] { { 0.1f }, { 0.05f }, { 0.15f } }), k: 3), 9);
        // Confident but two of three classes, evenly: 2.
        Assert.Equal(2.0, Knn.InceptionScore(refs, labels, torch.tensor(new float[,] { { 0.1f }, { 20.1f } }), k: 3), 9);
        // Hand case with split votes, k = 3: query 5.04 sees 0.2, 0.1 (class 0) and 10 (class 1): p(y|x) = (2/3, 1/3, 0);
        // query 20.1 is (0, 0, 1). p(y) = (1/3, 1/6, 1/2). KL₁ = ⅔ ln 2 + ⅓ ln 2 = ln 2; KL₂ = ln 2. IS = 2.
        Assert.Equal(2.0, Knn.InceptionScore(refs, labels, torch.tensor(new float[,] { { 5.04f }, { 20.1f } }), k: 3), 9);
    }

    [Fact]
    public void EveryFinishedRunRecordsItsEndQualityAndTheSweepCarriesIt()
    {
        using var cache = new TempCheckpointCache();
        var cfg = CollapseConfig.For("smoke") with { Epochs = 1, TrainExamples = 32, BatchSize = 16, TestBatch = 16, Evaluations = 2, Checkpoints = 2,
            ShownImages = 2, LatentDim = 3, QualitySamples = 20, QualityReferences = 32 };
        var g = new torch.Generator(5);
        var train = new ImageDataset("tiny", torch.rand(32, 1, 28, 28, generator: g), torch.arange(32, dtype: ScalarType.Int64) % 2, new[] { "a", "b" });
        var data = new DatasetSplits(train, train, "tiny", "tiny", "test");
        var run = CollapseTrainer.Train("q", () => new MlpVae(new[] { 8 }, cfg.LatentDim), new ConstantBeta(1), data, cfg);
        Assert.NotNull(run.Quality);
        Assert.InRange(run.Quality!.SampleScore, 1 - 1e-9, 2 + 1e-9);  // two classes
        Assert.True(run.Quality.ReconstructionGrain >= 0);
        var again = CollapseTrainer.Train("q", () => new MlpVae(new[] { 8 }, cfg.LatentDim), new ConstantBeta(1), data, cfg);
        Assert.True(again.FromCache);
        Assert.Equal(run.Quality, again.Quality);  // stored with the run
        var point = CollapseSweep.Run("s", () => new MlpVae(new[] { 8 }, cfg.LatentDim), b => new ConstantBeta(b), new[] { 1.0 }, data, cfg)[0];
        Assert.Equal(run.Quality, point.Quality);
    }
}
