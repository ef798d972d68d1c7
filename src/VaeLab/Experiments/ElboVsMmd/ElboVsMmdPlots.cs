using VaeLab.Plots;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>Notebook 02's training figures; its image grids and latent plots are the shared <see cref="Fig"/> and <see cref="LatentPlots"/>.</summary>
public static class ElboVsMmdPlots
{
    /// <summary>
    /// Per-step curves of a run's terms <paramref name="names"/>, as means over the run's windows of steps
    /// (<see cref="ElboVsMmdRun.PerWindow"/>), coloured from <paramref name="firstColour"/> on in <see cref="Fig.Palette"/>.
    /// </summary>
    public static Figure Curves(ElboVsMmdRun run, IReadOnlyList<string> names, string yTitle, bool logY = false, int firstColour = 0) => Fig.Chart(
        names.Select((n, i) => Fig.Scatter(run.WindowEnds(n), run.PerWindow[n], n, "lines", Fig.Palette[(firstColour + i) % Fig.Palette.Length])),
        ("xaxis.title.text", $"step (means over {run.StepWindow})"), ("yaxis.title.text", yTitle), ("yaxis.type", logY ? "log" : null));

    /// <summary>The two models' loss curves side by side: −ELBO of the ELBO VAE; loss, MSE and MMD of the MMD-VAE (log scale).</summary>
    public static Figure LossCurves(ElboVsMmdRun elbo, ElboVsMmdRun mmd) =>
        Fig.SideBySide("Loss curves",
            ("ELBO VAE", Curves(elbo, ["-elbo"], "−ELBO, nats per image")),
            ("MMD-VAE", Curves(mmd, ["loss", "mse", "mmd"], "log scale", logY: true, firstColour: 1)));

    /// <summary>The ELBO VAE's three terms per epoch as the document logs them: log p(x|z); log p(z) and log q(z|x).</summary>
    public static Figure ElboTerms(ElboVsMmdRun elbo) =>
        Fig.SideBySide("ELBO VAE: the terms per epoch, as the document logs them (means over the epoch's batches)",
            ("log p(x|z)", Fig.Lines([("log p(x|z)", elbo["log p(x|z)"])], "", "epoch", "nats per image")),
            ("log p(z) and log q(z|x)", Fig.Lines([("log p(z)", elbo["log p(z)"]), ("log q(z|x)", elbo["log q(z|x)"])], "", "epoch", "nats per image")));
}
