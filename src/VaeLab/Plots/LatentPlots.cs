using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Plots;

/// <summary>Figures of a 2-D latent space: codes coloured by class, and the grid of codes a decoder is swept over.</summary>
public static class LatentPlots
{
    /// <summary>
    /// One WebGL scatter trace per class of the N×2 <paramref name="codes"/> (class c = rows whose label is c),
    /// coloured by <see cref="Fig.Palette"/>. With <paramref name="legend"/> false the traces share the legend
    /// entries of another panel (same legend groups), as in <see cref="Fig.SideBySide"/>.
    /// </summary>
    public static List<Trace> ClassTraces(Tensor codes, Tensor labels, IReadOnlyList<string> names, bool legend = true, double size = 3, double opacity = 0.6)
    {
        if (codes.dim() != 2 || codes.shape[1] != 2)
            throw new ArgumentException($"Latent scatter plots need N×2 codes; got [{string.Join(",", codes.shape)}]. Plot two dimensions, e.g. " +
                $"codes[.., ..2].", nameof(codes));
        if (labels.shape[0] != codes.shape[0])
            throw new ArgumentException($"{codes.shape[0]} codes but {labels.shape[0]} labels: one label per code.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        var xy = codes.detach().cpu().to_type(ScalarType.Float64);
        var y = labels.cpu();
        var traces = new List<Trace>();
        for (int c = 0; c < names.Count; c++)
        {
            var idx = y.eq(c).nonzero().squeeze(1);
            var t = Fig.Scatter(xy.index_select(0, idx), names[c], Fig.Palette[c % Fig.Palette.Length], size: size, opacity: opacity, webgl: true);
            Fig.Set(t, "legendgroup", names[c]);
            Fig.Set(t, "showlegend", legend);
            traces.Add(t);
        }
        return traces;
    }

    /// <summary>The codes by class (<see cref="ClassTraces"/>) with axes z₁ and z₂, plus any <paramref name="layout"/>.</summary>
    public static Figure ByClass(Tensor codes, Tensor labels, IReadOnlyList<string> names, bool legend = true, params (string Key, object? Value)[] layout) =>
        Fig.Chart(ClassTraces(codes, labels, names, legend),
            new[] { ("xaxis.title.text", (object?)"z₁"), ("yaxis.title.text", "z₂") }.Concat(layout).ToArray());

    /// <summary>
    /// side² codes on an even grid over [−extent, extent]², in the order <see cref="Fig.ImageGrid"/> lays images out:
    /// row by row from the top, z₁ rising to the right and z₂ falling down the rows.
    /// </summary>
    public static Tensor GridCodes(int side, double extent)
    {
        if (side < 2) throw new ArgumentOutOfRangeException(nameof(side), side, "A latent grid needs at least 2 points per side.");
        if (!(extent > 0)) throw new ArgumentOutOfRangeException(nameof(extent), extent, "The grid's extent must be > 0.");
        using var scope = torch.NewDisposeScope();
        var ticks = torch.linspace(-extent, extent, side);
        return torch.stack(new[] { ticks.repeat(side), ticks.flip(0).repeat_interleave(side) }, 1).MoveToOuterDisposeScope();
    }
}
