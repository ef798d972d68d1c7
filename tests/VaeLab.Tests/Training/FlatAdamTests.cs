using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public class FlatAdamTests
{
    /// <summary>A small MLP with two heads, so that a loss can reach one head and not the other.</summary>
    sealed class TwoHeads : nn.Module<Tensor, (Tensor A, Tensor B)>
    {
        readonly TorchSharp.Modules.Linear trunk, headA, headB;
        public TwoHeads(int seed) : base("two_heads")
        {
            torch.manual_seed(seed);
            trunk = nn.Linear(7, 33); headA = nn.Linear(33, 3); headB = nn.Linear(33, 5);
            RegisterComponents();
        }
        public override (Tensor A, Tensor B) forward(Tensor x)
        {
            var h = nn.functional.tanh(trunk.call(x));
            return (headA.call(h), headB.call(h));
        }
    }

    static float[] Flat(nn.Module m) => m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    /// <summary>
    /// Runs the same 100 steps with TorchSharp's Adam and with FlatAdam. Steps 0, 3, 6, … reach only head A (head B
    /// has no gradient then and must be skipped, its step count falling behind); step 5 has an all-zero gradient
    /// (reached, so the moments decay and the parameters move, as in TorchSharp).
    /// </summary>
    static (float[] Reference, float[] Flat) Run(bool torchOps, double weightDecay)
    {
        var reference = new TwoHeads(3);
        var flat = new TwoHeads(3);
        Assert.Equal(Flat(reference), Flat(flat));
        var refOpt = optim.Adam(reference.parameters(), lr: 1e-2, weight_decay: weightDecay);
        var flatOpt = new FlatAdam(flat.parameters(), lr: 1e-2, weight_decay: weightDecay) { UseTorchOps = torchOps };
        using var g = new torch.Generator(9);
        for (int step = 0; step < 100; step++)
        {
            var x = torch.randn(16, 7, generator: g);
            var y = torch.randn(16, 8, generator: g);
            foreach (var (model, opt) in new (TwoHeads, optim.Optimizer)[] { (reference, refOpt), (flat, flatOpt) })
            {
                using var scope = torch.NewDisposeScope();
                var (a, b) = model.forward(x);
                var loss = step % 3 == 0 ? (a - y[.., ..3]).square().mean()
                    : step == 5 ? 0 * (a.sum() + b.sum())
                    : (a - y[.., ..3]).square().mean() + (b - y[.., 3..]).square().mean();
                Assert.True(TrainStep.Update(null, "loss", loss, opt));
            }
        }
        return (Flat(reference), Flat(flat));
    }

    // Tolerance: both compute each update from the same quantities, but the fused pass rounds a·b + c once where torch
    // rounds twice, so one step's update differs by a few float32 ulps of lr (1e-2 · 1e-7). Adam's normalised steps
    // do not amplify that; 100 steps stay far below 1e-5 absolute plus 1e-5 relative, which is what we check.
    static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / (1e-5 + 1e-5 * Math.Abs(expected[i])));
        Assert.True(worst <= 1, $"largest difference is {worst:F2} times the tolerance");
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.01)]
    [InlineData(true, 0.01)]
    public void HundredStepsMatchTorchSharpsAdamIncludingSkippedAndZeroGradients(bool torchOps, double weightDecay)
    {
        var (reference, flat) = Run(torchOps, weightDecay);
        AssertClose(reference, flat);
    }

    [Fact]
    public void ParametersBecomeViewsOfOneBufferWithoutChangingTheirValues()
    {
        var model = new TwoHeads(4);
        var before = Flat(model);
        var parameters = model.parameters().ToList();
        var opt = new FlatAdam(parameters);
        Assert.Equal(before, Flat(model));
        Assert.Equal(parameters.Sum(p => p.numel()), opt.Count);
        // One storage, laid out in order: each parameter starts where the previous one ends.
        long offset = 0;
        foreach (var p in parameters)
        {
            Assert.Equal(offset, p.storage_offset());
            offset += p.numel();
        }
        Assert.All(parameters, p => Assert.True(p.requires_grad && p.is_leaf));
    }

    [Fact]
    public void SaveAndLoadRoundTripThroughModuleAndOptimizerFiles()
    {
        var dir = Directory.CreateTempSubdirectory("flatadam-").FullName;
        try
        {
            var g = new torch.Generator(5);
            var data = Enumerable.Range(0, 12).Select(_ => (torch.randn(8, 7, generator: g), torch.randn(8, 3, generator: g))).ToList();
            void Steps(TwoHeads m, optim.Optimizer o, IEnumerable<(Tensor X, Tensor Y)> batches)
            {
                foreach (var (x, y) in batches)
                {
                    using var scope = torch.NewDisposeScope();
                    TrainStep.Update(null, "loss", (m.forward(x).A - y).square().mean(), o);
                }
            }
            var first = new TwoHeads(6);
            var firstOpt = new FlatAdam(first.parameters(), lr: 1e-2);
            Steps(first, firstOpt, data.Take(6));
            first.save(Path.Combine(dir, "model.bin"));
            firstOpt.save_state_dict(Path.Combine(dir, "adam.bin"));
            Steps(first, firstOpt, data.Skip(6));

            var second = new TwoHeads(99);  // other initial weights: everything must come from the files
            var secondOpt = new FlatAdam(second.parameters(), lr: 1e-2);
            second.load(Path.Combine(dir, "model.bin"));
            secondOpt.load_state_dict(Path.Combine(dir, "adam.bin"));
            Steps(second, secondOpt, data.Skip(6));
            Assert.Equal(Flat(first), Flat(second));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TwoOptimizersOverTheSameParametersShareTheirStorageAsTorchSharpsDo()
    {
        // The AAE steps its encoder with two optimizers (reconstruction and generator phases), each with its moments.
        var reference = new TwoHeads(8);
        var flat = new TwoHeads(8);
        var r1 = optim.Adam(reference.parameters(), lr: 1e-2);
        var r2 = optim.Adam(reference.parameters(), lr: 3e-2);
        var f1 = new FlatAdam(flat.parameters(), lr: 1e-2);
        var f2 = new FlatAdam(flat.parameters(), lr: 3e-2);
        using var g = new torch.Generator(2);
        for (int step = 0; step < 40; step++)
        {
            var x = torch.randn(8, 7, generator: g);
            foreach (var (model, o1, o2) in new (TwoHeads, optim.Optimizer, optim.Optimizer)[] { (reference, r1, r2), (flat, f1, f2) })
            {
                using var scope = torch.NewDisposeScope();
                TrainStep.Update(null, "a", model.forward(x).A.square().mean(), o1);
                TrainStep.Update(null, "b", (model.forward(x).B - 1).square().mean(), o2);
            }
        }
        AssertClose(Flat(reference), Flat(flat));
    }

    /// <summary>Trains <paramref name="model"/> for <paramref name="steps"/> steps on a fixed regression; returns the last loss.</summary>
    static double Train(TwoHeads model, optim.Optimizer opt, int steps)
    {
        using var g = new torch.Generator(4);
        using var x = torch.randn(16, 7, generator: g);
        double last = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = model.forward(x).A.square().mean();
            last = loss.item<float>();
            Assert.True(TrainStep.Update(null, "loss", loss, opt));
        }
        return last;
    }

    [Fact]
    public void AnOptimizerMadeInsideADisposeScopeOutlivesTheScope()
    {
        // TorchSharp's Adam keeps its state out of dispose scopes; so must FlatAdam, or a trainer that builds its
        // optimizer inside a scope would lose the buffers (and the finalizer thread would touch a live scope).
        var model = new TwoHeads(5);
        FlatAdam opt;
        using (torch.NewDisposeScope()) opt = new FlatAdam(model.parameters(), lr: 1e-2);
        double first = Train(model, opt, 1), later = Train(model, opt, 30);
        Assert.True(later < first, $"loss {first} → {later}: the optimizer should keep training after its scope ended");
        using var reference = new TwoHeads(5);
        using var refOpt = optim.Adam(reference.parameters(), lr: 1e-2);
        Train(reference, refOpt, 31);
        AssertClose(Flat(reference), Flat(model));
    }

    [Fact]
    public void DisposingTheOptimizerLeavesTheParametersTrainable()
    {
        var model = new TwoHeads(6);
        var opt = new FlatAdam(model.parameters(), lr: 1e-2);
        Train(model, opt, 5);
        var trained = Flat(model);
        opt.Dispose();
        Assert.Equal(trained, Flat(model));  // the parameters keep the storage the buffer shared with them
        using var again = new FlatAdam(model.parameters(), lr: 1e-2);
        Train(model, again, 5);
        Assert.NotEqual(trained, Flat(model));
    }

    [Fact]
    public void ClearErrorsForParametersItCannotHold()
    {
        var a = nn.Linear(2, 2);
        var twice = a.parameters().Concat(a.parameters()).ToList();
        Assert.Contains("same parameter twice", Assert.Throws<ArgumentException>(() => new FlatAdam(twice)).Message);
        var b = nn.Linear(2, 2).to(ScalarType.Float64);
        var mixed = a.parameters().Concat(b.parameters()).ToList();
        Assert.Contains("share a dtype and device", Assert.Throws<ArgumentException>(() => new FlatAdam(mixed)).Message);
        Assert.Contains("at least one parameter", Assert.Throws<ArgumentException>(() => new FlatAdam(new List<TorchSharp.Modules.Parameter>())).Message);
    }
}
