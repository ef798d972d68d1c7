using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Plots;

namespace VaeLab.Tests.Plots;

public class LatentPlotsTests
{
    [Fact]
    public void GridCodesRunRowByRowFromTheTopLeft()
    {
        var z = LatentPlots.GridCodes(3, extent: 2).data<float>().ToArray();
        // Row 0: z₂ = +2 with z₁ = −2, 0, 2; row 2: z₂ = −2.
        Assert.Equal(new float[] { -2, 2, 0, 2, 2, 2, -2, 0, 0, 0, 2, 0, -2, -2, 0, -2, 2, -2 }, z);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatentPlots.GridCodes(1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatentPlots.GridCodes(3, 0));
    }

    [Fact]
    public void ClassTracesHoldEachClassesCodesAndShareLegendGroups()
    {
        var codes = torch.tensor(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }).reshape(4, 2);
        var labels = torch.tensor(new long[] { 1, 0, 1, 1 });
        var traces = LatentPlots.ClassTraces(codes, labels, new[] { "a", "b" }, legend: false);
        Assert.Equal(2, traces.Count);
        Assert.Equal(new[] { 2.0 }, (IEnumerable<double>)traces[0].Get("x")!);
        Assert.Equal(new[] { 0.0, 4.0, 6.0 }, (IEnumerable<double>)traces[1].Get("x")!);
        Assert.Equal(new[] { 1.0, 5.0, 7.0 }, (IEnumerable<double>)traces[1].Get("y")!);
        Assert.Equal("b", traces[1].Get("legendgroup"));
        Assert.Equal(false, traces[1].Get("showlegend"));
        Assert.Contains("N×2 codes", Assert.Throws<ArgumentException>(() => LatentPlots.ClassTraces(torch.zeros(4, 3), labels, new[] { "a" })).Message);
        Assert.Contains("one label per code", Assert.Throws<ArgumentException>(() => LatentPlots.ClassTraces(codes, labels[..2], new[] { "a" })).Message);
    }
}
