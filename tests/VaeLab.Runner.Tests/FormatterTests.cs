using TorchSharp;
using VaeLab.Reporting;
using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Tests;

public class FormatterTests
{
    sealed class PlainThing { public int A { get; } = 1; public string B { get; } = "<b>"; }

    [Fact]
    public void Strings_and_numbers_are_plain_text_in_the_invariant_culture()
    {
        Assert.Equal([new("text/plain", "héllo")], Formatters.Format("héllo").Items);
        Assert.Equal("0.5", Formatters.Format(0.5)["text/plain"]);
        Assert.Equal("<null>", Formatters.Format(null)["text/plain"]);
        Assert.Equal("True", Formatters.Format(true)["text/plain"]);
    }

    [Fact]
    public void A_tensor_gets_a_short_summary()
    {
        using var small = torch.ones(2, 3);
        var text = Formatters.Format(small)["text/plain"]!;
        Assert.StartsWith("Tensor float32 [2, 3] on cpu", text);
        Assert.Equal(3, text.Split('\n').Length); // summary line + two rows of values
        using var big = torch.zeros(100, 784);
        Assert.Equal("Tensor float32 [100, 784] on cpu", Formatters.Format(big)["text/plain"]);
    }

    [Fact]
    public void A_chart_is_html_drawn_with_the_pages_plotly()
    {
        var trace = new Plotly.NET.Trace("scatter");
        trace.SetProperty("x", new[] { 1.0, 2.0 });
        trace.SetProperty("y", new[] { 3.0, 4.0 });
        var bundle = Formatters.Format(Plotly.NET.GenericChart.ofTraceObject(true, trace));
        Assert.True(bundle.NeedsPlotly);
        var html = bundle["text/html"]!;
        Assert.Contains("Plotly.newPlot(", html);
        Assert.Contains("\"x\":[1.0,2.0]", html);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase); // offline: no CDN reference
        Assert.Contains("plotly.js v2", Formatters.PlotlyJs[..200]);
    }

    [Fact]
    public void Html_renderables_give_html_and_text()
    {
        var log = RunLog.Begin();
        var claims = new ClaimSet("t");
        claims.Check("one is small", "1", 1, Bound.LessThan(2));
        var b = Formatters.Format(claims);
        Assert.Equal(["text/html", "text/plain"], b.Items.Select(i => i.Key));
        Assert.Contains("<table", b["text/html"]);
        Assert.Contains("[passed] one is small", b["text/plain"]);
        Assert.Single(log.Claims);
    }

    [Fact]
    public void Other_objects_get_a_property_table_or_their_own_ToString()
    {
        var plain = Formatters.Format(new PlainThing());
        Assert.Contains("<td style=\"text-align:left\">&lt;b&gt;</td>", plain["text/html"]);
        Assert.Equal("PlainThing { A = 1, B = <b> }", plain["text/plain"]);
        Assert.Equal("{ X = 1 }", Formatters.Format(new { X = 1 })["text/plain"]);
        var list = Formatters.Format(new List<int> { 1, 2, 3 });
        Assert.Equal("[1, 2, 3]", list["text/plain"]);
        Assert.Contains("<td>2</td><td>3</td>", list["text/html"]);
    }
}
