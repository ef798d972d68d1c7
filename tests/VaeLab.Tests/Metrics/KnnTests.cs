using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;

namespace VaeLab.Tests.Metrics;

public class KnnTests
{
    static (Tensor X, Tensor Y) Blobs(int perClass, int classes, double spread, int seed)
    {
        Lab.Setup(seed);
        var centres = torch.tensor(Enumerable.Range(0, classes).SelectMany(c => new float[] { 10f * c, -7f * c }).ToArray()).reshape(classes, 2);
        var y = torch.arange(classes, dtype: ScalarType.Int64).repeat_interleave(perClass);
        var x = centres.index_select(0, y) + spread * torch.randn(classes * perClass, 2);
        return (x, y);
    }

    [Fact]
    public void PerfectOnSeparatedBlobs()
    {
        var (trainX, trainY) = Blobs(200, 10, 0.5, 40);
        var (testX, testY) = Blobs(50, 10, 0.5, 41);
        Assert.Equal(1.0, Knn.Accuracy(trainX, trainY, testX, testY, k: 5));
        Assert.Equal(1.0, Knn.LeaveOneOutAccuracy(testX, testY, k: 5));
    }

    [Fact]
    public void AtChanceOnOverlappingClassesWithRandomLabels()
    {
        // Labels independent of position: accuracy ≈ 1/4 with SD √(¼·¾/2000) ≈ 0.0097.
        Lab.Setup(seed: 42);
        var x = torch.randn(4000, 2);
        var y = torch.randint(0, 4, 4000, dtype: ScalarType.Int64);
        double acc = Knn.Accuracy(x[TensorIndex.Slice(0, 2000)], y[TensorIndex.Slice(0, 2000)], x[TensorIndex.Slice(2000, 4000)], y[TensorIndex.Slice(2000, 4000)], k: 5);
        Assert.True(Math.Abs(acc - 0.25) < 4 * 0.0097, $"accuracy {acc}");
    }

    [Fact]
    public void HandComputedVotesTiesGoToTheNearest()
    {
        // References on a line at 0, 1, 2.5, 3 with labels a, a, b, b. With k = 4 every query sees a 2–2 tie, which
        // goes to the nearest point: 1.7 is nearest to 1 (a), 1.8 to 2.5 (b).
        var refs = torch.tensor(new float[,] { { 0 }, { 1 }, { 2.5f }, { 3 } });
        var labels = torch.tensor(new long[] { 0, 0, 1, 1 });
        Assert.Equal(0L, Knn.Predict(refs, labels, torch.tensor(new float[,] { { 1.7f } }), k: 4)[0].item<long>());
        Assert.Equal(1L, Knn.Predict(refs, labels, torch.tensor(new float[,] { { 1.8f } }), k: 4)[0].item<long>());
        // Leave-one-out never votes with the point itself: with k = 1 each point's nearest other shares its label;
        // with k = 3 each point's three others hold two of the other label.
        Assert.Equal(1.0, Knn.LeaveOneOutAccuracy(refs, labels, k: 1));
        Assert.Equal(0.0, Knn.LeaveOneOutAccuracy(refs, labels, k: 3));
    }

    [Fact]
    public void MajorityShareIsTheShareOfNeighboursThatCastTheVote()
    {
        // References at 0, 1, 2, 10, 11 labelled a, a, b, b, b. Query 0.4 with k = 3: 0, 1 (a) and 2 (b): 2 of 3.
        // Query 10.5 with k = 3: 10, 11 (b) and 2 (b): 3 of 3. Query 6 with k = 5: three b, two a: 3 of 5.
        var refs = torch.tensor(new float[,] { { 0 }, { 1 }, { 2 }, { 10 }, { 11 } });
        var labels = torch.tensor(new long[] { 0, 0, 1, 1, 1 });
        Assert.Equal(new[] { 2 / 3.0, 1.0 }, Knn.MajorityShare(refs, labels, torch.tensor(new float[,] { { 0.4f }, { 10.5f } }), k: 3));
        Assert.Equal(new[] { 3 / 5.0 }, Knn.MajorityShare(refs, labels, torch.tensor(new float[,] { { 6 } }), k: 5));
    }

    [Fact]
    public void RejectsAKLargerThanTheReferences()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Knn.Predict(torch.zeros(3, 2), torch.zeros(3, dtype: ScalarType.Int64), torch.zeros(1, 2), k: 5));
        Assert.Contains("k must be in [1, 3]", e.Message);
    }
}
