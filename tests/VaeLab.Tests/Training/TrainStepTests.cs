using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public class TrainStepTests
{
    [Fact]
    public void UpdateClearsOnlyItsOwnParametersAndLeavesUnreachedOnesAlone()
    {
        VaeLab.Lab.Seed(1);
        var a = nn.Linear(2, 1);
        var b = nn.Linear(2, 1);
        var opt = optim.Adam(a.parameters().Concat(b.parameters()), 0.1);
        var x = torch.ones(3, 2);
        // Step 1 reaches both; step 2 reaches only a: b must keep its weights (no zero-gradient Adam step).
        Assert.True(TrainStep.Update(null, "loss", (a.forward(x) + b.forward(x)).sum(), opt));
        var bAfterFirst = b.weight!.detach().clone();
        var aAfterFirst = a.weight!.detach().clone();
        Assert.True(TrainStep.Update(null, "loss", a.forward(x).sum(), opt));
        Assert.True(b.weight!.detach().eq(bAfterFirst).all().item<bool>());
        Assert.False(a.weight!.detach().eq(aAfterFirst).all().item<bool>());
        Assert.Null(b.weight!.grad);
    }

    [Fact]
    public void ANonFiniteLossSkipsOrStopsWithoutUpdating()
    {
        var a = nn.Linear(2, 1);
        var opt = optim.Adam(a.parameters(), 0.1);
        var before = a.weight!.detach().clone();
        var nan = a.forward(torch.full(1, 2, float.NaN)).sum();
        Assert.False(TrainStep.Update(new StepContext("t", NonFinitePolicy.Skip), "loss", nan, opt));
        Assert.Throws<NonFiniteLossException>(() => TrainStep.Update(new StepContext("t"), "loss", nan, opt));
        Assert.True(a.weight!.detach().eq(before).all().item<bool>());
    }
}
