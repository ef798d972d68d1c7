using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public class TrainLoopTests
{
    static (nn.Module<Tensor, Tensor> model, optim.Optimizer opt, Tensor x, Tensor y) Problem()
    {
        Lab.Setup(seed: 3);
        var x = torch.randn(64, 3);
        var y = x.sum(1, keepdim: true);
        var model = nn.Linear(3, 1);
        return (model, optim.SGD(model.parameters(), 0.1), x, y);
    }

    static IEnumerable<(Tensor, Tensor)> Batches(Tensor x, Tensor y) { for (int i = 0; i < 4; i++) yield return (x[TensorIndex.Slice(i * 16, (i + 1) * 16)], y[TensorIndex.Slice(i * 16, (i + 1) * 16)]); }

    [Fact]
    public void RecordsPerEpochMeansAndLowersTheLoss()
    {
        var (model, opt, x, y) = Problem();
        var h = TrainLoop.Run("fit", epochs: 5, batchesPerEpoch: 4, _ => Batches(x, y), (b, ctx) =>
        {
            var loss = nn.functional.mse_loss(model.forward(b.Item1), b.Item2);
            if (!ctx.Finite("mse", loss)) return null;
            opt.zero_grad(); loss.backward(); opt.step();
            return new Dictionary<string, Tensor> { ["mse"] = loss };
        }, recordSteps: true);
        Assert.Equal(5, h["mse"].Count);
        Assert.Equal(20, h.Steps("mse").Count);
        Assert.True(h.Last("mse") < h["mse"][0] * 0.5, $"{h["mse"][0]} -> {h.Last("mse")}");
        // Each epoch's entry is the mean of its four step values.
        Assert.Equal(h.Steps("mse").Take(4).Average(), h["mse"][0], 5);
    }

    [Fact]
    public void RecordsTheLoopsWallTimeAndAResumedRunAddsToIt()
    {
        var (model, opt, x, y) = Problem();
        IReadOnlyDictionary<string, Tensor> Step((Tensor, Tensor) b, StepContext ctx)
        {
            var loss = nn.functional.mse_loss(model.forward(b.Item1), b.Item2);
            TrainStep.Update(ctx, "mse", loss, opt);
            return new Dictionary<string, Tensor> { ["mse"] = loss };
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var h = TrainLoop.Run("fit", epochs: 2, batchesPerEpoch: 4, _ => Batches(x, y), Step);
        double elapsed = clock.Elapsed.TotalSeconds;
        Assert.InRange(h.Seconds, 1e-9, elapsed);
        double first = h.Seconds;
        var resumed = TrainLoop.Run("fit", epochs: 4, batchesPerEpoch: 4, _ => Batches(x, y), Step, history: h, startEpoch: 2);
        Assert.True(resumed.Seconds > first);
        Assert.InRange(resumed.Seconds, first, first + clock.Elapsed.TotalSeconds - elapsed);
    }

    [Theory]
    // The first lines libtorch printed when it read a freed Scalar: CI (stop 33) and the gc-race benchmark.
    [InlineData("Expected false to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)\nException raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):")]
    [InlineData("Unknown scalar type.")]
    [InlineData("false INTERNAL ASSERT FAILED at \"/pytorch/c10/core/Scalar.h\":279, please report a bug to PyTorch. ")]
    public void TorchSharpsGarbageCollectorRaceIsNamedWithItsRemedy(string libtorch)
    {
        var (model, _, x, y) = Problem();
        var e = Assert.Throws<TorchSharpRaceException>(() => TrainLoop.Run("racy", 2, 4, _ => Batches(x, y), (b, ctx) =>
            ctx.Step == 3 ? throw new System.Runtime.InteropServices.ExternalException(libtorch)
                : new Dictionary<string, Tensor> { ["loss"] = nn.functional.mse_loss(model.forward(b.Item1), b.Item2) }));
        Assert.StartsWith("racy: libtorch failed with", e.Message);
        Assert.Contains("Run the cell again", e.Message);
        Assert.Contains("TorchSharp and the garbage collector", e.Message);
        Assert.Equal(libtorch, e.InnerException!.Message);

        // Any other libtorch error passes through unchanged.
        var other = Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => TrainLoop.Run("shapes", 1, 4, _ => Batches(x, y), (b, ctx) =>
            throw new System.Runtime.InteropServices.ExternalException("mat1 and mat2 shapes cannot be multiplied (16x3 and 4x1)")));
        Assert.StartsWith("mat1 and mat2", other.Message);
    }

    [Fact]
    public void NonFiniteLossStopsWithStepTermAndLastFiniteValues()
    {
        var (model, opt, x, y) = Problem();
        var e = Assert.Throws<NonFiniteLossException>(() => TrainLoop.Run("faulty", 2, 4, _ => Batches(x, y), (b, ctx) =>
        {
            var loss = nn.functional.mse_loss(model.forward(b.Item1), b.Item2);
            if (ctx.Step == 5) loss = loss * float.NaN; // injected fault
            if (!ctx.Finite("recon", loss)) return new Dictionary<string, Tensor>();
            opt.zero_grad(); loss.backward(); opt.step();
            return new Dictionary<string, Tensor> { ["recon"] = loss };
        }));
        Assert.Equal(5, e.Step);
        Assert.Equal("recon", e.Term);
        Assert.True(e.LastFinite.ContainsKey("recon"));
        Assert.Contains("step 5", e.Message);
        Assert.Contains("NonFinitePolicy.Skip", e.Message);
    }

    [Fact]
    public void SkipPolicySkipsTheFaultyBatchWithoutUpdating()
    {
        var (model, opt, x, y) = Problem();
        Tensor? before = null;
        var h = TrainLoop.Run("skip", 1, 4, _ => Batches(x, y), (b, ctx) =>
        {
            var loss = nn.functional.mse_loss(model.forward(b.Item1), b.Item2);
            if (ctx.Step == 2) { loss = loss + float.PositiveInfinity; before = model.parameters().First().detach().clone().MoveToOuterDisposeScope(); }
            if (!ctx.Finite("mse", loss)) return null;
            opt.zero_grad(); loss.backward(); opt.step();
            return new Dictionary<string, Tensor> { ["mse"] = loss };
        }, policy: NonFinitePolicy.Skip, recordSteps: true);
        Assert.Equal(1, h.SkippedBatches);
        Assert.Equal(3, h.Steps("mse").Count);
        Assert.NotNull(before);
    }

    [Fact]
    public void AStepThatReturnsNullSkipsItsBatch()
    {
        var (_, _, x, y) = Problem();
        var h = TrainLoop.Run("null", 2, 4, _ => Batches(x, y), (b, ctx) =>
            ctx.Step % 2 == 1 ? null : new Dictionary<string, Tensor> { ["step"] = torch.tensor((float)ctx.Step) }, recordSteps: true);
        Assert.Equal(4, h.SkippedBatches);
        Assert.Equal(new[] { 0.0, 2, 4, 6 }, h.Steps("step"));
        Assert.Equal(new[] { 1.0, 5 }, h["step"]);  // epoch means of the recorded steps only
    }

    [Fact]
    public void InterruptStopsTheLoopAtTheNextStep()
    {
        var (model, opt, x, y) = Problem();
        int steps = 0;
        try
        {
            Assert.Throws<OperationCanceledException>(() => TrainLoop.Run("long", 100, 4, _ => Batches(x, y), (b, ctx) =>
            {
                if (++steps == 3) Interrupts.Request("test");
                return new Dictionary<string, Tensor> { ["z"] = torch.zeros(1).sum() };
            }));
        }
        finally { Interrupts.Reset(); }
        Assert.Equal(3, steps);
    }
}

public class TrainLoopBatchOwnershipTests
{
    [Fact]
    public void LoaderBatchesAreFreedAfterEachStepAndLiveTensorsStayFlat()
    {
        Lab.Setup(seed: 5);
        var x = torch.randn(64, 3);
        var loader = new BatchLoader(x, null, batchSize: 8, seed: 1);
        var model = nn.Linear(3, 1);
        var opt = optim.SGD(model.parameters(), 0.01);
        Batch? seen = null;
        long live(int epochs)
        {
            TrainLoop.Run("own", epochs, loader.BatchesPerEpoch, loader.Epoch, (b, ctx) =>
            {
                seen = b;
                var loss = model.forward(b.X).square().mean();
                opt.zero_grad(); loss.backward(); opt.step();
                return new Dictionary<string, Tensor> { ["loss"] = loss };
            });
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        }
        var afterOne = live(1);
        var afterTen = live(10);
        Assert.True(seen!.X.IsInvalid, "the last batch should have been disposed");
        Assert.Equal(afterOne, afterTen);
    }
}
