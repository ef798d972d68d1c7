using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public sealed class CheckpointCacheTests : IDisposable
{
    readonly TempCheckpointCache _cache = new();

    public CheckpointCacheTests()
    {
        Lab.Setup(seed: 11);
        RunLog.Begin();
    }

    public void Dispose() => _cache.Dispose();

    sealed record Cfg(int Hidden, double Lr);

    static History Fit(nn.Module<Tensor, Tensor> m)
    {
        var x = torch.randn(32, 2);
        var opt = optim.Adam(m.parameters(), 0.05);
        return TrainLoop.Run("fit", 3, 1, _ => new[] { x }, (b, ctx) =>
        {
            var loss = m.forward(b).square().mean();
            opt.zero_grad(); loss.backward(); opt.step();
            return new Dictionary<string, Tensor> { ["loss"] = loss };
        });
    }

    static float[] Weights(nn.Module m) => m.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

    [Fact]
    public void SecondRunLoadsWeightsAndHistoryInsteadOfTraining()
    {
        var cfg = new Cfg(4, 0.05);
        var a = nn.Linear(2, 2);
        var first = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "synthetic-32", 11), new[] { a }, _ => Fit(a));
        Assert.False(first.FromCache);

        var b = nn.Linear(2, 2);
        int trained = 0;
        var second = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "synthetic-32", 11), new[] { b }, _ => { trained++; return Fit(b); });
        Assert.True(second.FromCache);
        Assert.Equal(0, trained);
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(first.Result["loss"], second.Result["loss"]);
        Assert.Empty(Directory.GetDirectories(_cache.Dir, ".*tmp"));
    }

    [Fact]
    public void RetrainIgnoresTheCache()
    {
        var cfg = new Cfg(4, 0.05);
        var a = nn.Linear(2, 2);
        CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "d", 1), new[] { a }, _ => Fit(a));
        int trained = 0;
        var r = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "d", 1), new[] { a }, _ => { trained++; return Fit(a); }, retrain: true);
        Assert.False(r.FromCache);
        Assert.Equal(1, trained);
    }

    [Fact]
    public void KeyChangesWithConfigDataAndSeed()
    {
        var k = CheckpointCache.Key("m", new Cfg(4, 0.1), "d", 1);
        Assert.Equal(k, CheckpointCache.Key("m", new Cfg(4, 0.1), "d", 1));
        Assert.NotEqual(k, CheckpointCache.Key("m", new Cfg(5, 0.1), "d", 1));
        Assert.NotEqual(k, CheckpointCache.Key("m", new Cfg(4, 0.1), "d2", 1));
        Assert.NotEqual(k, CheckpointCache.Key("m", new Cfg(4, 0.1), "d", 2));
    }

    [Fact]
    public void CorruptEntryIsReportedInOneLineAndRetrained()
    {
        var cfg = new Cfg(4, 0.05);
        var a = nn.Linear(2, 2);
        var first = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "d", 3), new[] { a }, _ => Fit(a));
        File.WriteAllBytes(Path.Combine(first.Entry.Directory, "module0.bin"), new byte[] { 1, 2, 3 });

        var b = nn.Linear(2, 2);
        int trained = 0;
        var r = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "d", 3), new[] { b }, _ => { trained++; return Fit(b); });
        Assert.False(r.FromCache);
        Assert.Equal(1, trained);
        var warning = Assert.Single(RunLog.Current.Warnings);
        Assert.Contains("unusable", warning);
        Assert.DoesNotContain('\n', warning);
        // The retrained entry replaced the corrupt one and loads again.
        var c = nn.Linear(2, 2);
        Assert.True(CheckpointCache.LoadOrTrain(CheckpointCache.Entry("lin", cfg, "d", 3), new[] { c }, _ => Fit(c)).FromCache);
    }

    [Fact]
    public void IncompatibleEntryLeavesTheModelUntouchedAndRetrains()
    {
        var cfg = new Cfg(4, 0.05);
        var a = nn.Linear(2, 2);
        CheckpointCache.LoadOrTrain(CheckpointCache.Entry("shape", cfg, "d", 4), new[] { a }, _ => Fit(a));
        // Same key, but a model of another shape: the stored weights don't fit.
        var wrong = nn.Linear(2, 3);
        var before = Weights(wrong);
        int trained = 0;
        var r = CheckpointCache.LoadOrTrain(CheckpointCache.Entry("shape", cfg, "d", 4), new[] { wrong }, _ => { trained++; return new History(); });
        Assert.False(r.FromCache);
        Assert.Equal(1, trained);
        Assert.Equal(before, Weights(wrong));
    }
}
