using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Plots;

namespace VaeLab.Experiments.Aae;

/// <summary>Notebook 05's code-space figure: the test codes by class inside the prior's rings.</summary>
public static class AaePlots
{
    /// <summary>
    /// For k = 1 … <paramref name="rings"/>: the fraction of the 2-D codes <paramref name="z"/> within k·σ of the origin,
    /// and what the prior N(0, σ²I) puts there, 1 − exp(−k²/2) (a χ² with two degrees of freedom).
    /// </summary>
    public static (double[] Codes, double[] Prior) InsideRings(Tensor z, double priorStd, int rings = 3)
    {
        if (z.dim() != 2 || z.shape[1] != 2) throw new ArgumentException($"InsideRings takes 2-D codes (N×2); got [{string.Join(",", z.shape)}].", nameof(z));
        if (!(priorStd > 0)) throw new ArgumentOutOfRangeException(nameof(priorStd), priorStd, "priorStd must be > 0.");
        using var _ = torch.NewDisposeScope();
        var r2 = z.detach().square().sum(1);
        var codes = Enumerable.Range(1, rings).Select(k => r2.le(Math.Pow(k * priorStd, 2)).to_type(ScalarType.Float64).mean().item<double>()).ToArray();
        var prior = Enumerable.Range(1, rings).Select(k => 1 - Math.Exp(-k * k / 2.0)).ToArray();
        return (codes, prior);
    }

    /// <summary>The codes <paramref name="z"/> (N×2) coloured by class, with the prior's 1σ, 2σ and 3σ circles; the title
    /// gives the share of codes inside each ring against the prior's.</summary>
    public static Figure CodesByClass(Tensor z, Tensor labels, IReadOnlyList<string> classNames, double priorStd, string title = "Test codes Q(x) by class")
    {
        var (inside, prior) = InsideRings(z, priorStd);
        var traces = LatentPlots.ClassTraces(z, labels, classNames, opacity: 0.7);
        var angles = Enumerable.Range(0, 121).Select(i => 2 * Math.PI * i / 120).ToArray();
        for (int k = 1; k <= 3; k++)
            traces.Add(Fig.Scatter(angles.Select(a => k * priorStd * Math.Cos(a)), angles.Select(a => k * priorStd * Math.Sin(a)), $"prior {k}σ",
                mode: "lines", color: "#333333"));
        string Shares(double[] v) => string.Join(" / ", v.Select(x => x.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)));
        return Fig.Chart(traces, ("title.text", $"{title}; inside 1σ/2σ/3σ: {Shares(inside)} (prior: {Shares(prior)})"),
            ("xaxis.title.text", "z₁"), ("yaxis.title.text", "z₂"), ("yaxis.scaleanchor", "x"), ("width", 760), ("height", 700));
    }
}
