using Microsoft.DotNet.Interactive.Formatting;
using VaeLab.Interactive;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Experiments.Gaussians;
using VaeLab.Plots;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Interactive.Tests;

/// <summary>The extension's formatters, through the kernel's own formatter registry.</summary>
public class KernelFormattersTests
{
    public KernelFormattersTests()
    {
        Formatter.ResetToDefault();
        KernelFormatters.Register();
    }

    static string Html(object value) => value.ToDisplayString(HtmlFormatter.MimeType);
    static string Plain(object value) => value.ToDisplayString(PlainTextFormatter.MimeType);

    [Fact]
    public void ClaimsAndMetricsAreTheirOwnTables()
    {
        RunLog.Begin();
        var claims = new ClaimSet("t");
        claims.Check("one is small", "1", 1, Bound.LessThan(2));
        Assert.StartsWith("<table class=\"vaelab-claims\">", Html(claims));
        Assert.Contains("[passed] one is small", Plain(claims));
        var metrics = new MetricSet();
        metrics.Record("pi", Math.PI, "rad");
        Assert.Contains("<td style=\"text-align:left\">pi</td><td>3.1416</td>", Html(metrics));
        Assert.Equal(["text/html", "text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(ClaimSet)));
    }

    [Fact]
    public void AFigureIsAChartWithItsTitleAsText()
    {
        PlotlyHtml.BeginSession();
        var fig = Fig.Lines(new[] { ("loss", (IReadOnlyList<double>)new[] { 3.0, 2.0 }) }, "a chart");
        var html = Html(fig);
        Assert.Contains("plotly.js v", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.Equal("Figure \"a chart\": 1 trace(s) (scatter)", Plain(fig));
    }

    [Fact]
    public void ProgressIsAnHtmlBar()
    {
        var p = new TrainingProgress("toy", 10);
        p.Report(5, new Dictionary<string, double> { ["loss"] = 0.5 });
        Assert.Contains("<progress value=\"5\" max=\"10\">", Html(p));
        Assert.StartsWith("toy: 5/10 steps (50 %)", Plain(p));
    }

    [Fact]
    public void AConfigIsATableOfItsSettings()
    {
        var cfg = GaussiansConfig.For("smoke");
        var html = Html(cfg);
        Assert.StartsWith("<table class=\"vaelab-config\">", html);
        Assert.Contains(">Epochs</td>", html);
        Assert.Contains(typeof(GaussiansConfig), KernelFormatters.DisplayTypes());
        Assert.Contains(typeof(ElboVsMmdConfig), KernelFormatters.DisplayTypes());
    }

    [Fact]
    public void ATensorIsAShortSummaryNotAPropertyTree()
    {
        using var small = ones(2, 3);
        var text = Plain(small);
        Assert.StartsWith("Tensor float32 [2, 3] on cpu", text);
        Assert.Equal(["text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(Tensor)));
        using var big = zeros(100, 784);
        Assert.Equal("Tensor float32 [100, 784] on cpu", Plain(big));
    }
}

/// <summary>Values that would otherwise get the kernel's property tree (which enumerates tensors) stay short.</summary>
public class PlainFormattersTests
{
    public PlainFormattersTests()
    {
        Formatter.ResetToDefault();
        KernelFormatters.Register();
    }

    [Fact]
    public void AModuleIsItsTypeAndParameterCount()
    {
        using var linear = TorchSharp.torch.nn.Linear(2, 3);
        Assert.Equal("Linear: 9 parameters", linear.ToDisplayString(PlainTextFormatter.MimeType));
        Assert.Equal("<pre>Linear: 9 parameters</pre>", linear.ToDisplayString(HtmlFormatter.MimeType));
    }

    [Fact]
    public void ATensorInHtmlIsItsSummaryNotItsElements()
    {
        using var big = zeros(1000, 784);
        Assert.Equal("<pre>Tensor float32 [1000, 784] on cpu</pre>", big.ToDisplayString(HtmlFormatter.MimeType));
    }

    [Fact]
    public void VaeLabsOtherTypesAreTheirOwnText()
    {
        Assert.Contains(typeof(VaeLab.Data.DatasetSplits), KernelFormatters.PlainTypes());
        Assert.Contains(typeof(LabInfo), KernelFormatters.PlainTypes());
        Assert.DoesNotContain(typeof(ClaimSet), KernelFormatters.PlainTypes());
        var info = new LabInfo(1, 2, "cpu", "tuned", "0.107.0");
        Assert.Equal(info.ToString(), info.ToDisplayString(PlainTextFormatter.MimeType));
        Assert.Equal(["text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(LabInfo)));
    }
}
