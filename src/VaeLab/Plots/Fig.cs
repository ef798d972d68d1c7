using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Plots;

/// <summary>
/// Figures built from plotly.js trace and layout properties (names as in plotly.js's reference). They display in the
/// .NET Interactive kernel (VS Code, Jupyter, dotnet-repl), in <c>vaelab run</c> and in the report alike. Why this is
/// not Plotly.NET: see docs/running.md ("Figures and Plotly.NET").
/// </summary>
public static class Fig
{
    /// <summary>A trace of plotly.js type <paramref name="type"/> with the given properties.</summary>
    public static Trace Trace(string type, params (string Key, object? Value)[] props)
    {
        var t = new Trace(type);
        foreach (var (k, v) in props) if (v != null) t.Set(k, v);
        return t;
    }

    /// <summary>Sets a property; dotted keys ("marker.color") create nested objects.</summary>
    public static void Set(PlotlyObject target, string key, object value) => target.Set(key, value);

    /// <summary>A chart from traces and layout properties ("title.text", "xaxis.title.text", "width", ...).</summary>
    public static Figure Chart(IEnumerable<Trace> traces, params (string Key, object? Value)[] layout)
    {
        var l = new PlotlyObject();
        foreach (var (k, v) in layout) if (v != null) l.Set(k, v);
        return new Figure(traces, l);
    }

    /// <summary>A scatter trace of points (mode "markers" by default).</summary>
    public static Trace Scatter(IEnumerable<double> x, IEnumerable<double> y, string? name = null, string mode = "markers",
                                string? color = null, double size = 4, double opacity = 1.0, IEnumerable<string>? text = null, bool webgl = false)
        => Trace(webgl ? "scattergl" : "scatter", ("x", x.ToArray()), ("y", y.ToArray()), ("name", name), ("mode", mode),
                 ("marker.size", size), ("marker.color", color), ("opacity", opacity), ("text", text?.ToArray()),
                 ("line.color", mode.Contains("lines") ? color : null));

    /// <summary>Points of an N×2 tensor as a scatter trace.</summary>
    public static Trace Scatter(Tensor xy, string? name = null, string? color = null, double size = 4, double opacity = 1.0, bool webgl = false)
    {
        var (x, y) = Columns(xy);
        return Scatter(x, y, name, "markers", color, size, opacity, null, webgl);
    }

    /// <summary>One line per named series, against 1..n (epochs or steps).</summary>
    public static Figure Lines(IEnumerable<(string Name, IReadOnlyList<double> Values)> series, string title, string xTitle = "epoch", string yTitle = "",
        bool logY = false)
    {
        var traces = series.Select(s => Scatter(Enumerable.Range(1, s.Values.Count).Select(i => (double)i), s.Values, s.Name, "lines"));
        return Chart(traces, ("title.text", title), ("xaxis.title.text", xTitle), ("yaxis.title.text", yTitle), ("yaxis.type", logY ? "log" : null));
    }

    /// <summary>
    /// A grid of greyscale images (N×1×H×W or N×H×W, values in [0,1]) as one heatmap: cheap to render even for
    /// hundreds of images. Row labels are drawn on the left when given.
    /// </summary>
    public static Figure ImageGrid(Tensor images, int columns, string title, IReadOnlyList<string>? rowLabels = null, int cellPixels = 28, int gap = 1)
    {
        using var _ = torch.NewDisposeScope();
        var imgs = images.detach().cpu().to_type(ScalarType.Float32);
        if (imgs.dim() == 4) imgs = imgs.squeeze(1);
        if (imgs.dim() == 2 && imgs.shape[1] == 784) imgs = imgs.reshape(-1, 28, 28);
        if (imgs.dim() != 3) throw new ArgumentException($"ImageGrid expects N×1×H×W, N×H×W or N×784 images; got shape " +
            $"[{string.Join(",", images.shape)}].", nameof(images));
        int n = (int)imgs.shape[0], h = (int)imgs.shape[1], w = (int)imgs.shape[2];
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), "columns must be ≥ 1.");
        int rows = (n + columns - 1) / columns;
        int H = rows * (h + gap) - gap, W = columns * (w + gap) - gap;
        var canvas = new double?[H][];
        for (int r = 0; r < H; r++) canvas[r] = new double?[W];
        var data = imgs.clamp(0, 1).data<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            int r0 = i / columns * (h + gap), c0 = i % columns * (w + gap);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    canvas[r0 + y][c0 + x] = data[(i * h + y) * w + x];
        }
        var heat = Trace("heatmap", ("z", canvas), ("colorscale", "Greys"), ("reversescale", true), ("showscale", false),
                         ("zmin", 0.0), ("zmax", 1.0), ("hoverinfo", "skip"));
        var layout = new List<(string, object?)>
        {
            // Left-aligned: a centred title runs under the mode bar (top right) on grids this narrow.
            ("title.text", title), ("title.x", 0.01), ("title.xanchor", "left"), ("width", Math.Min(1100, 60 + W * cellPixels / (double)h * 1.2)),
            ("height", 80 + H * cellPixels / (double)h * 1.2),
            ("xaxis.visible", false), ("yaxis.autorange", "reversed"), ("yaxis.scaleanchor", "x"),
            ("margin.l", rowLabels != null ? 90 : 10), ("margin.r", 10), ("margin.t", 50), ("margin.b", 10),
        };
        if (rowLabels != null)
        {
            layout.Add(("yaxis.tickvals", Enumerable.Range(0, rows).Select(r => r * (h + gap) + h / 2.0).ToArray()));
            layout.Add(("yaxis.ticktext", rowLabels.Take(rows).ToArray()));
            layout.Add(("yaxis.showgrid", false)); layout.Add(("yaxis.zeroline", false));
        }
        else layout.Add(("yaxis.visible", false));
        return Chart(new[] { heat }, layout.ToArray());
    }

    /// <summary>Puts charts side by side (one row), keeping each one's traces, axes titles and subtitle.</summary>
    public static Figure SideBySide(string title, params (string Subtitle, Figure Chart)[] panels)
    {
        var traces = new List<Trace>();
        var layout = new List<(string, object?)> { ("title.text", title), ("height", 460), ("width", Math.Min(1200, 430 * panels.Length)) };
        var annotations = new List<PlotlyObject>();
        double gap = 0.06, width = (1.0 - gap * (panels.Length - 1)) / panels.Length;
        for (int p = 0; p < panels.Length; p++)
        {
            string ax = p == 0 ? "" : (p + 1).ToString(CultureInfo.InvariantCulture);
            double x0 = p * (width + gap), x1 = x0 + width;
            foreach (var t in panels[p].Chart.Traces)
            {
                var copy = t.CopyTo(new Trace(t.Type));
                copy.Set("xaxis", "x" + ax);
                copy.Set("yaxis", "y" + ax);
                traces.Add(copy);
            }
            var src = panels[p].Chart.Layout;
            foreach (var axis in new[] { "xaxis", "yaxis" })
            {
                var a = src.Get(axis) is PlotlyObject o ? o.CopyTo(new PlotlyObject()) : new PlotlyObject();
                if (axis == "xaxis") a.Set("domain", new[] { x0, x1 }).Set("anchor", "y" + ax);
                else
                {
                    a.Set("anchor", "x" + ax);
                    // Keep square pixels in image panels: anchor this panel's y to its own x, not the first panel's.
                    if (a.Get("scaleanchor") is not null) a.Set("scaleanchor", "x" + ax);
                }
                layout.Add((axis + ax, a));
            }
            annotations.Add(new PlotlyObject()
                .Set("text", $"<b>{System.Net.WebUtility.HtmlEncode(panels[p].Subtitle)}</b>")
                .Set("x", (x0 + x1) / 2).Set("y", 1.0).Set("xref", "paper").Set("yref", "paper")
                .Set("yanchor", "bottom").Set("showarrow", false));
        }
        layout.Add(("annotations", annotations.ToArray()));
        return Chart(traces, layout.ToArray());
    }

    /// <summary>The columns of an N×2 tensor as arrays.</summary>
    public static (double[] X, double[] Y) Columns(Tensor xy)
    {
        var a = xy.detach().cpu().to_type(ScalarType.Float64);
        if (a.dim() != 2 || a.shape[1] < 2) throw new ArgumentException($"expected an N×2 tensor, got [{string.Join(",", xy.shape)}].");
        return (a[.., 0].data<double>().ToArray(), a[.., 1].data<double>().ToArray());
    }

    /// <summary>A qualitative palette of 10 colours (plotly's D3), e.g. for class labels.</summary>
    public static readonly string[] Palette =
        { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
}
