using Plotly.NET;
using VaeLab.Plots;
using static TorchSharp.torch;

namespace VaeLab.Tests.Plots;

public class FigTests
{
    [Fact]
    public void ImageGridTilesImagesIntoOneHeatmapWithGaps()
    {
        var imgs = ones(5, 1, 28, 28) * 0.5f;
        var chart = Fig.ImageGrid(imgs, columns: 3, title: "grid");
        var traces = GenericChart.getTraces(chart).ToList();
        Assert.Single(traces);
        var z = (double?[][])traces[0].GetPropertyValue("z");
        Assert.Equal(2 * 29 - 1, z.Length);        // 2 rows of 28 with a 1-pixel gap
        Assert.Equal(3 * 29 - 1, z[0].Length);
        Assert.Equal(0.5, z[0][0]!.Value, 6);
        Assert.Null(z[0][28]);                      // the gap
        Assert.Null(z[30][29 * 2 + 5]);             // the missing sixth image
    }

    [Fact]
    public void ImageGridRejectsAWrongShapeClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => Fig.ImageGrid(ones(new long[] { 2, 3, 4, 5, 6 }), 2, "bad"));
        Assert.Contains("N×1×H×W", e.Message);
    }

    [Fact]
    public void SideBySidePutsEachPanelOnItsOwnAxes()
    {
        var a = Fig.Chart(new[] { Fig.Scatter(new[] { 1.0 }, new[] { 2.0 }, "a") });
        var b = Fig.Chart(new[] { Fig.Scatter(new[] { 1.0 }, new[] { 2.0 }, "b"), Fig.Scatter(new[] { 3.0 }, new[] { 4.0 }, "c") });
        var both = Fig.SideBySide("two", ("A", a), ("B", b));
        var traces = GenericChart.getTraces(both).ToList();
        Assert.Equal(3, traces.Count);
        Assert.Equal("x", traces[0].GetPropertyValue("xaxis"));
        Assert.Equal("x2", traces[2].GetPropertyValue("xaxis"));
        var json = GenericChart.toJson(both);
        Assert.Contains("\"xaxis2\"", json);
    }

    [Fact]
    public void SideBySideImageGridsKeepSquarePixelsOnTheirOwnAxes()
    {
        var grid = Fig.ImageGrid(ones(4, 1, 28, 28), 2, "g");
        var both = Fig.SideBySide("two grids", ("A", grid), ("B", grid));
        var json = GenericChart.toJson(both);
        Assert.Contains("\"scaleanchor\":\"x2\"", json);
        Assert.Contains("\"scaleanchor\":\"x\"", json);
    }
}
