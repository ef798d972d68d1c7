using TorchSharp;
using VaeLab.Experiments.Gaussians;
using VaeLab.Plots;

namespace VaeLab.Tests.Experiments.Gaussians;

public class GaussiansPlotsTests
{
    [Fact]
    public void OverDataDrawsTheDataFirstOnEqualAxes()
    {
        var data = torch.tensor(new float[] { 0, 0, 1, 2, 3, 4 }).reshape(3, 2);
        var extra = Fig.Scatter(torch.zeros(2, 2), "codes", "#d62728");
        var fig = GaussiansPlots.OverData(data, "title", dataInLegend: false, extra);
        Assert.Equal(2, fig.Traces.Count);
        Assert.Equal("data", fig.Traces[0].Get("name"));
        Assert.Equal(false, fig.Traces[0].Get("showlegend"));
        Assert.Same(extra, fig.Traces[1]);
        Assert.Equal("x", fig.Layout.Get("yaxis.scaleanchor"));
        Assert.Null(GaussiansPlots.OverData(data, "t", dataInLegend: true).Traces[0].Get("showlegend"));
        Assert.Contains("N×2", Assert.Throws<ArgumentException>(() => GaussiansPlots.OverData(torch.zeros(3), "t", true)).Message);
    }
}
