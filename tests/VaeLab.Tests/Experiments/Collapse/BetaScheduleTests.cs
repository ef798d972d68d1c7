using VaeLab.Experiments.Collapse;

namespace VaeLab.Tests.Experiments.Collapse;

public class BetaScheduleTests
{
    [Fact]
    public void ConstantIsConstant()
    {
        var s = new ConstantBeta(0.25);
        Assert.All(new[] { 0, 1, 50, 99 }, t => Assert.Equal(0.25, s.At(t, 100)));
    }

    [Fact]
    public void DelayedLinearIsZeroThroughWarmupThenRampsThenHolds()
    {
        // T = 100, warm-up 20 steps, ramp over 40 steps: β(t) = (t − 20) / 40 on [20, 60], 1 after.
        var s = new DelayedLinearBeta(0.2, 0.4);
        Assert.Equal(0.0, s.At(0, 100));
        Assert.Equal(0.0, s.At(19, 100));
        Assert.Equal(0.0, s.At(20, 100), 12);
        Assert.Equal(0.25, s.At(30, 100), 12);
        Assert.Equal(0.5, s.At(40, 100), 12);
        Assert.Equal(1.0, s.At(60, 100), 12);
        Assert.Equal(1.0, s.At(99, 100), 12);
    }

    [Fact]
    public void CyclicalFollowsFuEtAlWithFourCyclesAndRatioHalf()
    {
        // T = 100, M = 4: cycles of 25 steps; τ = (t mod 25) / 25; β = τ / 0.5 for τ ≤ 0.5, else 1.
        var s = new CyclicalBeta(4, 0.5);
        Assert.Equal(0.0, s.At(0, 100), 12);
        Assert.Equal(0.48, s.At(6, 100), 12);
        Assert.Equal(0.96, s.At(12, 100), 12);
        Assert.Equal(1.0, s.At(13, 100), 12);   // τ = 0.52 > R
        Assert.Equal(1.0, s.At(24, 100), 12);
        Assert.Equal(0.0, s.At(25, 100), 12);   // the second cycle restarts at 0
        Assert.Equal(0.48, s.At(81, 100), 12);  // fourth cycle, t mod 25 = 6
        // Four restarts to zero over the run.
        Assert.Equal(4, Enumerable.Range(0, 100).Count(t => s.At(t, 100) == 0.0));
    }

    [Fact]
    public void BadArgumentsNameTheProblem()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DelayedLinearBeta(1.5, 0.2).At(0, 10));
        Assert.Contains("WarmupFraction", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantBeta(1).At(0, 0));
        Assert.Contains("Cycles", Assert.Throws<ArgumentOutOfRangeException>(() => new CyclicalBeta(0).At(0, 10)).Message);
    }
}
