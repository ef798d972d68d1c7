using static TorchSharp.torch;
using VaeLab.Plots;

namespace VaeLab.Experiments.Gaussians;

/// <summary>Notebook 01's figures: points in the plane over the data, on equal axes.</summary>
public static class GaussiansPlots
{
    /// <summary>
    /// <paramref name="traces"/> drawn over the data points <paramref name="data"/> (grey, N×2) on equal x₁/x₂ axes, so
    /// that a curve and a cloud are compared at their true shapes. <paramref name="dataInLegend"/>: whether the data
    /// appear in the legend (off where several panels share one legend).
    /// </summary>
    public static Figure OverData(Tensor data, string title, bool dataInLegend, params Trace[] traces)
    {
        if (data.dim() != 2 || data.shape[1] != 2)
            throw new ArgumentException($"OverData draws 2-D points (N×2); got [{string.Join(",", data.shape)}].", nameof(data));
        var points = Fig.Scatter(data, "data", "#9aa0a6", size: 3, opacity: 0.5);
        if (!dataInLegend) Fig.Set(points, "showlegend", false);
        return Fig.Chart(new[] { points }.Concat(traces),
            ("title.text", title), ("xaxis.title.text", "x₁"), ("yaxis.title.text", "x₂"),
            ("yaxis.scaleanchor", "x"), ("width", 640), ("height", 560));
    }
}
