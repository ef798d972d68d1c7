using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Collapse;
using VaeLab.Nn;
using VaeLab.Reporting;
using VaeLab.Training;
using VaeLab.Tests.Training;

namespace VaeLab.Tests.Experiments.Collapse;

/// <summary>
/// Runs trained together (<see cref="CollapseTrainer.TrainMany"/>) give what each gives alone: the batched models
/// compute each member's outputs, the member losses are the plain losses of each slice, and a member's per-step
/// losses agree with the same member (initial weights, batch order, noise) trained alone, also beside a member that
/// diverges and when some members come from the cache.
/// </summary>
public sealed class BatchedTrainingTests : IDisposable
{
    readonly TempCheckpointCache _cache = new();
    public BatchedTrainingTests() => RunLog.Begin();
    public void Dispose() => _cache.Dispose();

    static DatasetSplits Tiny(int n)
    {
        var g = new torch.Generator(11);
        var train = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        var test = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        return new DatasetSplits(train, test, "tiny", "tiny", "test");
    }

    static CollapseConfig Small => CollapseConfig.For("smoke") with
    {
        Epochs = 2, TrainExamples = 48, BatchSize = 16, TestBatch = 16, Evaluations = 3, Checkpoints = 2, ShownImages = 3, LatentDim = 3, ConvChannels = 4, MlpHidden = [8],
    };

    static readonly CollapseMember[] Three =
    [
        new("a", new ConstantBeta(1), 0),
        new("b", new DelayedLinearBeta(0.2, 0.4), 1),
        new("c", new CyclicalBeta(2, 0.5), 2),
    ];

    static void SameSteps(CollapseRun expected, CollapseRun actual)
    {
        foreach (var term in new[] { "loss", "recon", "kl", "beta" })
        {
            var e = expected.History.Steps(term);
            var a = actual.History.Steps(term);
            Assert.Equal(e.Count, a.Count);
            for (int i = 0; i < e.Count; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"{actual.Name}: {term} at step {i}: alone {e[i]}, batched {a[i]}");
        }
        Assert.Equal(expected.Snapshots.Select(s => s.Step), actual.Snapshots.Select(s => s.Step));
        for (int i = 0; i < expected.Snapshots.Count; i++)
        {
            Assert.True(Math.Abs(expected.Snapshots[i].Kl - actual.Snapshots[i].Kl) <= 1e-4 * Math.Max(1, expected.Snapshots[i].Kl), $"{actual.Name}: KL at evaluation {i}");
            Assert.Equal(expected.Snapshots[i].ActiveUnits, actual.Snapshots[i].ActiveUnits);
        }
    }

    [Fact]
    public void BatchedModelsComputeEachMembersOutputs()
    {
        Lab.Setup(seed: 4);
        var x = torch.rand(new long[] { 3, 5, 1, 28, 28 });
        foreach (var make in new Func<IGaussianVae>[] { () => new CollapseConvVae(3, 4), () => new MlpVae([8, 6], 3) })
        {
            var plain = Enumerable.Range(0, 3).Select(_ => make()).ToArray();
            var batched = VaeMembers.Batched(plain[0], 3);
            for (int k = 0; k < 3; k++) batched.Load(k, (nn.Module)plain[k]);
            var (mean, logVar) = batched.Encode(x);
            var z = torch.randn(3, 5, 3);
            var logits = batched.Decode(z);
            Assert.Equal(new long[] { 3, 5, 1, 28, 28 }, logits.shape);
            for (int k = 0; k < 3; k++)
            {
                var (m, lv) = plain[k].Encode(x[k]);
                Assert.True(mean[k].allclose(m, 1e-5, 1e-5) && logVar[k].allclose(lv, 1e-5, 1e-5), $"{plain[k].GetType().Name} member {k}: encoder");
                Assert.True(logits[k].allclose(plain[k].Decode(z[k]), 1e-5, 1e-5), $"{plain[k].GetType().Name} member {k}: decoder");
            }
        }
    }

    [Fact]
    public void MemberLossesAreThePlainLossesOfEachSlice()
    {
        Lab.Setup(seed: 5);
        var logits = torch.randn(new long[] { 3, 4, 1, 28, 28 });
        var x = torch.rand(new long[] { 3, 4, 1, 28, 28 });
        var mean = torch.randn(3, 4, 2);
        var logVar = torch.randn(3, 4, 2);
        var beta = torch.tensor(new[] { 0f, 0.5f, 2f });
        foreach (var objective in new[] { CollapseObjective.DocumentMse, CollapseObjective.BernoulliElbo })
        {
            var member = objective.MemberLoss(logits, x, mean, logVar, beta);
            for (int k = 0; k < 3; k++)
            {
                var plain = objective.Loss(logits[k], x[k], mean[k], logVar[k], beta[k].item<float>());
                Assert.Equal(plain.Total.item<float>(), member.Total[k].item<float>(), 1e-3f * Math.Max(1, Math.Abs(plain.Total.item<float>())));
                Assert.Equal(plain.Kl.item<float>(), member.Kl[k].item<float>(), 1e-4f);
            }
        }
        Assert.Contains("one value per member", Assert.Throws<ArgumentException>(() => MseKl.MemberLoss(logits, x, mean, logVar, torch.ones(2))).Message);
    }

    [Theory]
    [InlineData("conv")]
    [InlineData("mlp")]
    public void AMemberTrainedInABatchMatchesItTrainedAlone(string model)
    {
        Lab.Setup(seed: 6);
        var data = Tiny(48);
        Func<IGaussianVae> make = model == "conv" ? () => new CollapseConvVae(Small.LatentDim, Small.ConvChannels) : () => new MlpVae(Small.MlpHidden, Small.LatentDim);
        var batched = model == "conv"
            ? CollapseTrainer.TrainMany(() => (CollapseConvVae)make(), Three, data, Small)
            : CollapseTrainer.TrainMany(() => (MlpVae)make(), Three, data, Small);
        var alone = Three.Select(m => model == "conv"
            ? CollapseTrainer.Train(m.Name, () => (CollapseConvVae)make(), m.Schedule, data, Small with { Seed = m.Seed }, retrain: true)
            : CollapseTrainer.Train(m.Name, () => (MlpVae)make(), m.Schedule, data, Small with { Seed = m.Seed }, retrain: true)).ToArray();
        Assert.Equal(6, batched[0].TotalSteps);
        for (int k = 0; k < 3; k++)
        {
            Assert.False(batched[k].FromCache);
            Assert.Null(batched[k].Diverged);
            SameSteps(alone[k], batched[k]);
        }
        // Members differ (seeds and schedules), so the comparison is not of one run with itself.
        Assert.NotEqual(batched[0].History.Steps("loss")[0], batched[1].History.Steps("loss")[0]);
    }

    [Fact]
    public void ADivergingMemberStopsAloneAndIsNotCached()
    {
        Lab.Setup(seed: 7);
        var data = Tiny(48);
        int built = 0;
        // The second model built (member "b") starts with a NaN weight: its loss is NaN at step 0.
        MlpVae Make(bool poison)
        {
            var m = new MlpVae(Small.MlpHidden, Small.LatentDim);
            if (poison) using (torch.no_grad()) m.parameters().First()[0, 0].fill_(double.NaN);
            return m;
        }
        var runs = CollapseTrainer.TrainMany(() => Make(built++ == 1), Three, data, Small);
        Assert.NotNull(runs[1].Diverged);
        Assert.Equal(0, runs[1].Diverged!.Step);
        Assert.Contains("STOPPED at step 0", runs[1].ToString());
        Assert.Null(runs[0].Diverged);
        Assert.Null(runs[2].Diverged);
        foreach (var k in new[] { 0, 2 })
            SameSteps(CollapseTrainer.Train(Three[k].Name, () => Make(false), Three[k].Schedule, data, Small with { Seed = Three[k].Seed }, retrain: true), runs[k]);
        // Not cached: a second call trains it again; the others load.
        built = 0;
        var again = CollapseTrainer.TrainMany(() => Make(built++ == 1), Three, data, Small);
        Assert.True(again[0].FromCache && again[2].FromCache);
        Assert.False(again[1].FromCache);
        // Alone, the same member fails as a run does: with the exception.
        Assert.Throws<NonFiniteLossException>(() => CollapseTrainer.Train("b", () => Make(true), Three[1].Schedule, data, Small with { Seed = 1 }));
    }

    [Fact]
    public void CachedMembersLoadAndOnlyTheMissingOnesTrain()
    {
        Lab.Setup(seed: 8);
        var data = Tiny(48);
        MlpVae Make() => new(Small.MlpHidden, Small.LatentDim);
        var first = CollapseTrainer.TrainMany(Make, Three[..2], data, Small);
        var all = CollapseTrainer.TrainMany(Make, Three, data, Small);
        Assert.True(all[0].FromCache && all[1].FromCache);
        Assert.False(all[2].FromCache);
        Assert.Equal(first[1].History.Steps("loss"), all[1].History.Steps("loss"));
        // The member trained in a batch wrote the entry that training it alone reads.
        var alone = CollapseTrainer.Train("c", Make, Three[2].Schedule, data, Small with { Seed = 2 });
        Assert.True(alone.FromCache);
        // Members batched or not, the same entries: BatchedMembers is not part of the key.
        var one = CollapseTrainer.TrainMany(Make, Three, data, Small with { BatchedMembers = 1 });
        Assert.All(one, r => Assert.True(r.FromCache));
    }

    [Fact]
    public void TheDrawsAfterABatchDoNotDependOnWhichRunsWereCached()
    {
        Lab.Setup(seed: 9);
        var data = Tiny(48);
        MlpVae Make() => new(Small.MlpHidden, Small.LatentDim);
        CollapseTrainer.TrainMany(Make, Three[1..], data, Small);
        CollapseTrainer.TrainMany(Make, Three, data, Small);  // the last two load, the first trains
        var afterPartlyCached = torch.rand(4).data<float>().ToArray();
        CollapseTrainer.TrainMany(Make, Three, data, Small);  // every run loads
        Assert.Equal(afterPartlyCached, torch.rand(4).data<float>().ToArray());
    }
}
