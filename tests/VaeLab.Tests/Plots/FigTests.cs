using System.Text.Json;
using static TorchSharp.torch;
using VaeLab.Plots;

namespace VaeLab.Tests.Plots;

public class FigTests
{
    [Fact]
    public void ImageGridTilesImagesIntoOneHeatmapWithGaps()
    {
        var imgs = ones(5, 1, 28, 28) * 0.5f;
        var chart = Fig.ImageGrid(imgs, columns: 3, title: "grid");
        var trace = Assert.Single(chart.Traces);
        var z = (double?[][])trace.Get("z")!;
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
        Assert.Equal(3, both.Traces.Count);
        Assert.Equal("x", both.Traces[0].Get("xaxis"));
        Assert.Equal("x2", both.Traces[2].Get("xaxis"));
        Assert.Null(a.Traces[0].Get("xaxis"));      // the panels themselves are not changed
        using var json = JsonDocument.Parse(both.ToJson());
        Assert.Equal("y2", json.RootElement.GetProperty("layout").GetProperty("xaxis2").GetProperty("anchor").GetString());
    }

    [Fact]
    public void SideBySideImageGridsKeepSquarePixelsOnTheirOwnAxes()
    {
        var grid = Fig.ImageGrid(ones(4, 1, 28, 28), 2, "g");
        var both = Fig.SideBySide("two grids", ("A", grid), ("B", grid));
        var json = both.ToJson();
        Assert.Contains("\"scaleanchor\":\"x2\"", json);
        Assert.Contains("\"scaleanchor\":\"x\"", json);
    }

    [Fact]
    public void FigureJsonIsPlotlysShapeWithNestedKeysAndGapsForNonFiniteNumbers()
    {
        var trace = Fig.Trace("scatter", ("x", new[] { 1.0, 2.0 }), ("y", new[] { 0.5, double.NaN }), ("marker.color", "#123456"), ("name", null));
        var fig = Fig.Chart(new[] { trace }, ("title.text", "t"), ("width", 300));
        using var json = JsonDocument.Parse(fig.ToJson());
        var data = json.RootElement.GetProperty("data")[0];
        Assert.Equal("scatter", data.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("y")[1].ValueKind);   // NaN is not JSON: a gap
        Assert.Equal("#123456", data.GetProperty("marker").GetProperty("color").GetString());
        Assert.False(data.TryGetProperty("name", out _));                      // null values are left out
        Assert.Equal("t", json.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(300, json.RootElement.GetProperty("layout").GetProperty("width").GetInt32());
    }

    [Fact]
    public void AnUnsupportedPropertyValueIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => new Figure(new[] { new Trace("scatter").Set("x", (object)new Random()) as Trace ?? new Trace("x") }).ToJson());
        Assert.Contains("Random", e.Message);
    }

    [Fact]
    public void TheFirstChartOfASessionCarriesPlotlyJsAndLaterOnesWaitForIt()
    {
        PlotlyHtml.BeginSession();
        var fig = Fig.Chart(new[] { Fig.Scatter(new[] { 1.0 }, new[] { 2.0 }) });
        var first = fig.ToHtml();
        var second = fig.ToHtml();
        Assert.Contains("plotly.js v" + PlotlyHtml.PlotlyJsVersion, first);
        Assert.DoesNotContain("plotly.js v", second);
        Assert.Contains("window.Plotly.newPlot('vaelab-chart-", second);
        Assert.DoesNotContain("<script src", first);                           // nothing from a CDN
        Assert.DoesNotContain("</script", PlotlyHtml.PlotlyJs);                 // cannot end its own tag early
        Assert.Matches(@"^\d+\.\d+\.\d+$", PlotlyHtml.PlotlyJsVersion);
        PlotlyHtml.BeginSession();
        Assert.Contains("plotly.js v", fig.ToHtml());
    }
}
