using VaeLab.Plots;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>Notebook 06's figures: training loss, the gradients reaching c and z, and the pseudo-labels' agreement with the classes.</summary>
public static class VhePlots
{
    /// <summary>Each run's training loss per epoch ("loss" of its history).</summary>
    public static Figure Losses(IReadOnlyList<VheRun> runs, string dataName) =>
        Fig.Lines(runs.Select(r => (r.Name, r.History["loss"])), $"Average training loss per epoch ({dataName})", "epoch", "nats per example");

    /// <summary>
    /// How much of the loss's gradient reaches c against z: the unsupervised run's per-step norms ‖∂ℓ/∂z‖ and ‖∂ℓ/∂c‖,
    /// and each run's per-epoch ratio <see cref="VheRun.GradientRatioCToZ"/>.
    /// </summary>
    public static Figure Gradients(VheRun unsupervised, params VheRun[] ratioRuns)
    {
        var z = unsupervised.History.Steps("grad_z");
        var steps = Enumerable.Range(1, z.Count).Select(i => (double)i).ToArray();
        var perStep = Fig.Chart(
            [Fig.Scatter(steps, z, "‖∂ℓ/∂z‖", "lines", Fig.Palette[0]), Fig.Scatter(steps, unsupervised.History.Steps("grad_c"), "‖∂ℓ/∂c‖", "lines", Fig.Palette[1])],
            ("title.text", $"{unsupervised.Name}: gradient norms per step"), ("xaxis.title.text", "step"), ("yaxis.title.text", "mean per-example L2 norm"));
        var ratio = Fig.Lines(ratioRuns.Select(r => (r.Name, r.GradientRatioCToZ)), "Ratio ‖∂ℓ/∂c‖ : ‖∂ℓ/∂z‖ per epoch", "epoch", "c : z");
        return Fig.SideBySide("z & c contributions", ("per step", perStep), ("per epoch", ratio));
    }

    /// <summary>
    /// Purity and NMI of the unsupervised run's pseudo-labels at each clustering (<see cref="VheRun.Purity"/>,
    /// <see cref="VheRun.Nmi"/>), against the NMI of KMeans on the pixels, <paramref name="pixelNmi"/>, as a level line.
    /// </summary>
    public static Figure PseudoLabels(VheRun unsupervised, double pixelNmi, int clusters)
    {
        if (unsupervised.Purity.Count == 0)
            throw new ArgumentException($"{unsupervised.Name} has no pseudo-labels (a supervised run or the baseline VAE).", nameof(unsupervised));
        var rounds = Enumerable.Range(1, unsupervised.Purity.Count).Select(i => (double)i).ToArray();
        return Fig.Chart(
            [
                Fig.Scatter(rounds, unsupervised.Purity, "purity", "lines+markers", Fig.Palette[0]),
                Fig.Scatter(rounds, unsupervised.Nmi, "NMI", "lines+markers", Fig.Palette[1]),
                Fig.Scatter([rounds[0], rounds[^1]], [pixelNmi, pixelNmi], "NMI of KMeans on pixels", "lines", Fig.Palette[2]),
            ],
            ("title.text", $"Pseudo-labels ({clusters} KMeans clusters of [c, z]) against the true labels"),
            ("xaxis.title.text", "clustering (before epoch e; last = after training)"), ("yaxis.title.text", "score"), ("yaxis.range", new[] { 0.0, 1.0 }));
    }
}
