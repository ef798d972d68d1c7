using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public class BatchLoaderTests
{
    /// <summary>Row i of x is (i, −i); y is i. A batch's rows then say which indices it holds.</summary>
    static BatchLoader Loader(int n, int batch, int seed = 3, bool shuffle = true, bool dropLast = false)
    {
        var ids = torch.arange(n, dtype: ScalarType.Float32);
        var x = torch.stack(new[] { ids, -ids }, 1);
        return new BatchLoader(x, torch.arange(n, dtype: ScalarType.Int64), batch, seed, shuffle, dropLast);
    }

    static List<long[]> Indices(BatchLoader loader, int epoch) =>
        loader.Epoch(epoch).Select(b =>
        {
            var fromX = b.X[.., 0].to_type(ScalarType.Int64).data<long>().ToArray();
            Assert.Equal(fromX, b.Y!.data<long>().ToArray()); // x and y rows stay paired
            Assert.Equal(fromX, b.RowArray());                 // and Rows names them
            Assert.Equal(fromX.Select(i => -(float)i).ToArray(), b.X[.., 1].data<float>().ToArray());
            return fromX;
        }).ToList();

    [Fact]
    public void EveryIndexAppearsExactlyOncePerEpoch()
    {
        var loader = Loader(103, 10);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var all = Indices(loader, epoch).SelectMany(b => b).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i).ToArray(), all);
        }
    }

    [Fact]
    public void EpochsAreReshuffledAndReproducible()
    {
        var loader = Loader(100, 100);
        var e0 = Indices(loader, 0).Single();
        var e1 = Indices(loader, 1).Single();
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), e0);
        Assert.Equal(e0, Indices(loader, 0).Single());                    // same epoch again
        Assert.Equal(e1, Indices(Loader(100, 100), 1).Single());          // another loader, same seed
        Assert.NotEqual(e0, Indices(Loader(100, 100, seed: 4), 0).Single()); // another seed
    }

    [Fact]
    public void ShufflingLeavesTheGlobalGeneratorAlone()
    {
        torch.manual_seed(11);
        var expected = torch.randn(4).data<float>().ToArray();
        torch.manual_seed(11);
        Indices(Loader(50, 7), 0);
        Assert.Equal(expected, torch.randn(4).data<float>().ToArray());
    }

    [Fact]
    public void TheLastPartialBatchIsKeptOrDropped()
    {
        var keep = Loader(10, 4);
        Assert.Equal(3, keep.BatchesPerEpoch);
        Assert.Equal(new[] { 4, 4, 2 }, Indices(keep, 0).Select(b => b.Length).ToArray());

        var drop = Loader(10, 4, dropLast: true);
        Assert.Equal(2, drop.BatchesPerEpoch);
        var batches = Indices(drop, 0);
        Assert.Equal(new[] { 4, 4 }, batches.Select(b => b.Length).ToArray());
        Assert.Equal(8, batches.SelectMany(b => b).Distinct().Count());

        Assert.Equal(2, Loader(8, 4).BatchesPerEpoch);
        Assert.Equal(2, Loader(8, 4, dropLast: true).BatchesPerEpoch);
    }

    [Fact]
    public void WithoutShufflingBatchesFollowTheRows()
    {
        var batches = Indices(Loader(7, 3, shuffle: false), 5);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6 }, batches.SelectMany(b => b).ToArray());
    }

    [Fact]
    public void UnlabelledDataAndDatasetsWork()
    {
        var x = torch.rand(9, 2);
        var batches = new BatchLoader(x, null, 4, seed: 0).Epoch(0).ToList();
        Assert.All(batches, b => Assert.Null(b.Y));
        Assert.Equal(9, batches.Sum(b => b.Count));
        Assert.Equal(x.sum().item<float>(), batches.Sum(b => b.X.sum().item<float>()), 4);

        var data = new ImageDataset("d", torch.rand(6, 1, 28, 28), torch.arange(6, dtype: ScalarType.Int64), new[] { "a" });
        var loader = new BatchLoader(data, 4, seed: 1);
        var first = loader.Epoch(0).First();
        Assert.Equal(new long[] { 4, 1, 28, 28 }, first.X.shape);
        Assert.Equal(ScalarType.Int64, first.Y!.dtype);
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var x = torch.zeros(5, 2);
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(x, null, 0, 1)).Message);
        Assert.Contains("x has 5 rows but y has 4", Assert.Throws<ArgumentException>(() => new BatchLoader(x, torch.zeros(4), 2, 1)).Message);
        Assert.Contains("make no batch of 8", Assert.Throws<ArgumentException>(() => new BatchLoader(x, null, 8, 1, dropLast: true)).Message);
    }

    [Fact]
    public void CycleDrawsFullBatchesPassAfterPassAndResumesWhereItStood()
    {
        var loader = Loader(25, 10, dropLast: true);
        var cycle = loader.Cycle();
        var drawn = Enumerable.Range(0, 7).Select(_ => { using var b = cycle.Next(); return b.RowArray(); }).ToList();
        Assert.All(drawn, rows => Assert.Equal(10, rows.Length));
        // Pass p is Order(p) cut into full batches; its 5-row tail is skipped.
        for (int i = 0; i < 6; i++)
        {
            var order = loader.Order(i / 2).data<long>().ToArray();
            Assert.Equal(order.Skip(10 * (i % 2)).Take(10).ToArray(), drawn[i]);
        }
        var replay = loader.Cycle();
        for (int i = 0; i < 3; i++) replay.Next().Dispose();
        var resumed = loader.Cycle();
        resumed.Restore(replay.Counters);
        for (int i = 3; i < 7; i++)
        {
            using var b = resumed.Next();
            Assert.Equal(drawn[i], b.RowArray());
        }
    }
}
