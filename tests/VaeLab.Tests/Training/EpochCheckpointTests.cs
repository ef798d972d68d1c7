using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

/// <summary>
/// A long AAE run stopped after some epochs resumes from its epoch checkpoint and ends exactly where an
/// uninterrupted run ends: the same weights and the same per-epoch records.
/// </summary>
public sealed class EpochCheckpointTests : IDisposable
{
    readonly TempCheckpointCache _cache = new();

    public EpochCheckpointTests()
    {
        RunLog.Begin();
        EpochCheckpoint.MinInterval = TimeSpan.Zero;
    }

    public void Dispose()
    {
        EpochCheckpoint.AfterSave = null;
        EpochCheckpoint.MinInterval = TimeSpan.FromSeconds(60);
        _cache.Dispose();
    }

    static float[] Weights(params nn.Module[] modules) =>
        modules.SelectMany(m => m.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)).SelectMany(kv => kv.Value.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray()).ToArray();

    /// <summary>Stops training (as a killed process would) right after the checkpoint of <paramref name="epochs"/> epochs.</summary>
    static void StopAfter(int epochs) => EpochCheckpoint.AfterSave = done => { if (done == epochs) throw new OperationCanceledException("stopped for the test"); };

    string[] Partials() => Directory.Exists(_cache.Dir) ? Directory.GetDirectories(_cache.Dir, "*.partial") : Array.Empty<string>();

    static readonly AaeConfig Aae = new() { HiddenDim = 16, BatchSize = 8, Epochs = 5 };

    (AaeTrainer Trainer, TrainingRun Run) TrainAae(Tensor x, bool retrain = false)
    {
        Lab.Setup(seed: 11, threads: 1);
        var t = new AaeTrainer(Aae);
        return (t, t.TrainCached(x, retrain: retrain));
    }

    [Fact]
    public void AStoppedAaeRunResumesAndEndsAsAnUninterruptedOne()
    {
        var x = torch.rand(32, 784, generator: new torch.Generator(1));
        StopAfter(2);
        Assert.Throws<OperationCanceledException>(() => TrainAae(x));
        Assert.Single(Partials());

        var saved = new List<int>();
        EpochCheckpoint.AfterSave = saved.Add;
        var (resumed, resumedHistory) = TrainAae(x);
        Assert.False(resumedHistory.FromCache);
        Assert.Equal(new[] { 3, 4 }, saved); // it went on from epoch 3 (the last epoch needs no checkpoint)
        Assert.Empty(Partials()); // the finished entry replaces the checkpoint

        var (whole, wholeHistory) = TrainAae(x, retrain: true);
        Assert.Equal(Weights(whole.Q, whole.P, whole.D), Weights(resumed.Q, resumed.P, resumed.D));
        Assert.Equal(5, resumedHistory["reconstruction"].Count);
        Assert.Equal(wholeHistory["reconstruction"], resumedHistory["reconstruction"]);
        Assert.Equal(wholeHistory["D accuracy"], resumedHistory["D accuracy"]);
    }

    [Fact]
    public void AStoppedSemiSupervisedRunResumesWithItsLabelledBatchesWhereTheyWere()
    {
        // 5 steps per epoch against labelled passes of 2 batches: the labelled cycle is mid-pass at epoch boundaries.
        var cfg = new SemiSupervisedAaeConfig { HiddenDim = 16, BatchSize = 4, Epochs = 4, LabelledExamples = 10, Classes = 2 };
        var x = torch.rand(20, 784, generator: new torch.Generator(2));
        var y = torch.tensor(Enumerable.Range(0, 10).Select(i => (long)(i % 2)).ToArray());
        (SemiSupervisedAaeTrainer, History) Run(bool retrain = false)
        {
            Lab.Setup(seed: 12, threads: 1);
            var t = new SemiSupervisedAaeTrainer(cfg);
            return (t, t.TrainCached(x, x.narrow(0, 0, 10), y, x.narrow(0, 0, 10), y, retrain: retrain).History);
        }

        StopAfter(1);
        Assert.Throws<OperationCanceledException>(() => Run());
        var saved = new List<int>();
        EpochCheckpoint.AfterSave = saved.Add;
        var (resumed, resumedHistory) = Run();
        Assert.Equal(new[] { 2, 3 }, saved);
        var (whole, wholeHistory) = Run(retrain: true);
        Assert.Equal(Weights(whole.Q, whole.P, whole.DGauss, whole.DCat), Weights(resumed.Q, resumed.P, resumed.DGauss, resumed.DCat));
        Assert.Equal(wholeHistory["classification"], resumedHistory["classification"]);
        Assert.Equal(wholeHistory["test error %"], resumedHistory["test error %"]);
    }

    [Fact]
    public void ADamagedCheckpointIsReportedAndTheRunStartsOver()
    {
        var x = torch.rand(32, 784, generator: new torch.Generator(3));
        StopAfter(3);
        Assert.Throws<OperationCanceledException>(() => TrainAae(x));
        var partial = Assert.Single(Partials());
        var module = Path.Combine(partial, "module0.bin");
        var bytes = File.ReadAllBytes(module);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(module, bytes);

        var saved = new List<int>();
        EpochCheckpoint.AfterSave = saved.Add;
        var (restarted, history) = TrainAae(x);
        Assert.Equal(new[] { 1, 2, 3, 4 }, saved); // from the start
        Assert.Contains(RunLog.Current.Warnings, w => w.Contains("is unusable (module0.bin does not match its checksum)") && w.Contains("from the start"));
        Assert.Equal(5, history["reconstruction"].Count);

        var (whole, _) = TrainAae(x, retrain: true);
        Assert.Equal(Weights(whole.Q, whole.P, whole.D), Weights(restarted.Q, restarted.P, restarted.D));
    }

    [Fact]
    public void RetrainDiscardsACheckpoint()
    {
        var x = torch.rand(32, 784, generator: new torch.Generator(4));
        StopAfter(2);
        Assert.Throws<OperationCanceledException>(() => TrainAae(x));
        Assert.Single(Partials());
        var seen = new List<int>(); // saves start again from epoch 1: nothing was resumed
        EpochCheckpoint.AfterSave = seen.Add;
        TrainAae(x, retrain: true);
        Assert.Equal(new[] { 1, 2, 3, 4 }, seen);
        Assert.Empty(Partials());
    }
}
