using TorchSharp;
using VaeLab.Experiments.Aae;

namespace VaeLab.Tests.Experiments.Aae;

public class AaePlotsTests
{
    [Fact]
    public void InsideRingsCountsCodesByRadiusAndGivesThePriorsShares()
    {
        // σ = 2: four codes at radius 1, 3, 5 and 7 (0.5σ, 1.5σ, 2.5σ, 3.5σ) → ¼, ½, ¾ inside 1σ, 2σ, 3σ.
        var z = torch.tensor(new float[] { 1, 0, 0, 3, -5, 0, 0, -7 }).reshape(4, 2);
        var (codes, prior) = AaePlots.InsideRings(z, priorStd: 2);
        Assert.Equal(new[] { 0.25, 0.5, 0.75 }, codes);
        Assert.Equal(0.3935, prior[0], 4);  // 1 − e^(−1/2)
        Assert.Equal(0.8647, prior[1], 4);  // 1 − e^(−2)
        Assert.Equal(0.9889, prior[2], 4);  // 1 − e^(−9/2)
        Assert.Throws<ArgumentException>(() => AaePlots.InsideRings(torch.zeros(4, 3), 1));
    }

    [Fact]
    public void TheFigureHasOneTracePerClassAndThreeCircles()
    {
        var z = torch.tensor(new float[] { 1, 0, 0, 3, -5, 0, 0, -7 }).reshape(4, 2);
        var labels = torch.tensor(new long[] { 0, 1, 0, 1 });
        var fig = AaePlots.CodesByClass(z, labels, ["a", "b"], priorStd: 2);
        Assert.Equal(5, fig.Traces.Count);
        Assert.Equal("prior 3σ", fig.Traces[^1].Get("name"));
        Assert.Contains("inside 1σ/2σ/3σ: 25 % / 50 % / 75 % (prior: 39 % / 86 % / 99 %)", (string)fig.Layout.Get("title.text")!);
    }
}
