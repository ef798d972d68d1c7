using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Plots;
using VaeLab.Training;

namespace VaeLab.Experiments.Collapse;

/// <summary>Figures of the posterior-collapse runs (notebooks 03 and 04).</summary>
public static class CollapsePlots
{
    /// <summary>
    /// One image grid per run: the fixed training images on top, then per checkpoint a row of their reconstructions
    /// and a row of decoded prior samples. <paramref name="brighten"/> &gt; 1 raises faint pixels (p^(1/brighten)),
    /// as the document does ("smaller pixel values were increased"). Row labels give the step of each checkpoint.
    /// </summary>
    public static Figure Checkpoints(CollapseRun run, double brighten = 1.0)
    {
        using var _ = torch.NewDisposeScope();
        var rows = new List<Tensor> { run.OriginalImages() };
        var labels = new List<string> { "inputs" };
        foreach (var c in run.Checkpoints)
        {
            rows.Add(c.ReconstructionImages()); labels.Add($"recon {c.Step}");
            rows.Add(c.SampleImages()); labels.Add($"sample {c.Step}");
        }
        var all = torch.cat(rows, 0);
        if (brighten != 1.0) all = all.clamp(0, 1).pow(1.0 / brighten);
        return Fig.ImageGrid(all, (int)rows[0].shape[0], $"{run.Name}: by step", labels);
    }

    /// <summary>
    /// The document's "training values": per latent dimension, the band between the min and max over the test batch of
    /// the posterior mean (left) and standard deviation (right), over training.
    /// </summary>
    public static Figure Bands(CollapseRun run)
    {
        var steps = run.Snapshots.Select(s => (double)s.Step).ToArray();
        int d = run.Snapshots[0].Bands.MeanMin.Length;
        Figure Panel(Func<LatentSnapshot, double[]> lo, Func<LatentSnapshot, double[]> hi, string y, bool log, bool legend)
        {
            var traces = new List<Trace>();
            for (int k = 0; k < d; k++)
            {
                string colour = Fig.Palette[k % Fig.Palette.Length];
                traces.Add(Fig.Trace("scatter", ("x", steps), ("y", run.Snapshots.Select(s => lo(s)[k]).ToArray()), ("mode", "lines"),
                    ("line.color", colour), ("line.width", 1), ("legendgroup", $"z{k}"), ("showlegend", false), ("name", $"z{k} min")));
                traces.Add(Fig.Trace("scatter", ("x", steps), ("y", run.Snapshots.Select(s => hi(s)[k]).ToArray()), ("mode", "lines"),
                    ("line.color", colour), ("line.width", 1), ("fill", "tonexty"), ("fillcolor", colour + "33"), ("legendgroup", $"z{k}"),
                        ("showlegend", legend), ("name", $"z{k}")));
            }
            return Fig.Chart(traces, ("xaxis.title.text", "step"), ("yaxis.title.text", y), ("yaxis.type", log ? "log" : null));
        }
        return Fig.SideBySide($"{run.Name}: min–max over the test batch per latent dimension",
            ("posterior mean", Panel(s => s.Bands.MeanMin, s => s.Bands.MeanMax, "mean", false, true)),
            ("posterior standard deviation (log)", Panel(s => s.Bands.StdMin, s => s.Bands.StdMax, "std", true, false)));
    }

    /// <summary>Per-step training KL (nats) and reconstruction (in the objective's units), with β on a second axis.</summary>
    public static Figure Curves(CollapseRun run)
    {
        var steps = Enumerable.Range(0, run.History.Steps("kl").Count).Select(i => (double)i).ToArray();
        var kl = Fig.Chart(new[]
        {
            Fig.Trace("scatter", ("x", steps), ("y", run.History.Steps("kl").ToArray()), ("mode", "lines"), ("name", "KL (training batch)"),
                ("line.color", Fig.Palette[0]), ("line.width", 1)),
            Fig.Trace("scatter", ("x", run.Snapshots.Select(s => (double)s.Step).ToArray()), ("y", run.Snapshots.Select(s => s.Kl).ToArray()),
                ("mode", "lines+markers"), ("name", "KL (test batch)"), ("line.color", Fig.Palette[3])),
        }, ("xaxis.title.text", "step"), ("yaxis.title.text", "KL, nats (log)"), ("yaxis.type", "log"));
        var recon = Fig.Chart(new[]
        {
            Fig.Trace("scatter", ("x", steps), ("y", run.History.Steps("recon").ToArray()), ("mode", "lines"), ("name", "recon (training batch)"),
                ("line.color", Fig.Palette[1]), ("line.width", 1)),
            Fig.Trace("scatter", ("x", run.Snapshots.Select(s => (double)s.Step).ToArray()), ("y", run.Snapshots.Select(s => s.Reconstruction).ToArray()),
                ("mode", "lines+markers"), ("name", "recon (test batch)"), ("line.color", Fig.Palette[4])),
        }, ("xaxis.title.text", "step"), ("yaxis.title.text", run.Objective.ReconstructionUnit()));
        var beta = Fig.Chart(new[]
        {
            Fig.Trace("scatter", ("x", steps), ("y", run.History.Steps("beta").ToArray()), ("mode", "lines"), ("name", "β"), ("line.color", Fig.Palette[2])),
        }, ("xaxis.title.text", "step"), ("yaxis.title.text", "β"), ("yaxis.range", new[] { -0.05, 1.05 }));
        return Fig.SideBySide($"{run.Name}: loss terms and β", ("KL", kl), ("reconstruction", recon), ("β", beta));
    }

    /// <summary>
    /// One test-batch diagnostic (e.g. s =&gt; s.Kl) of several runs over training; <paramref name="level"/>, if given, is
    /// drawn as a dotted horizontal line named <paramref name="levelName"/> (a reference such as R₀). Panels after the
    /// first of a <see cref="Fig.SideBySide"/> pass <paramref name="legend"/> = false, so each run is listed once.
    /// </summary>
    public static Figure Compare(IEnumerable<CollapseRun> runs, Func<LatentSnapshot, double> value, string title, string yTitle, bool logY = false,
        double? level = null, string? levelName = null, bool legend = true)
    {
        var list = runs.ToList();
        var traces = list.Select((r, i) => Fig.Scatter(r.Snapshots.Select(s => (double)s.Step), r.Snapshots.Select(value), r.Name, "lines+markers",
            Fig.Palette[i % Fig.Palette.Length], size: 4)).ToList();
        if (level is { } l)
        {
            double last = list.Max(r => r.Snapshots[^1].Step);
            var line = Fig.Scatter(new[] { 0.0, last }, new[] { l, l }, levelName ?? "reference", "lines", "#333333");
            Fig.Set(line, "line.dash", "dot");
            traces.Add(line);
        }
        foreach (var t in traces) { Fig.Set(t, "legendgroup", t.Get("name")!); Fig.Set(t, "showlegend", legend); }
        return Fig.Chart(traces, ("title.text", title), ("xaxis.title.text", "step"), ("yaxis.title.text", yTitle), ("yaxis.type", logY ? "log" : null));
    }

    /// <summary>
    /// Notebooks 03's and 04's side-by-side test-batch diagnostics of several runs over training: KL (log), active
    /// units and the mutual information I(x; z).
    /// </summary>
    public static Figure Diagnostics(IReadOnlyList<CollapseRun> runs) =>
        Fig.SideBySide("Test-batch diagnostics over training",
            ("KL, nats (log)", Compare(runs, s => Math.Max(s.Kl, 1e-6), "", "KL, nats", logY: true)),
            ("active units", Compare(runs, s => s.ActiveUnits, "", "active units", legend: false)),
            ("I(x; z), nats", Compare(runs, s => s.MutualInformation, "", "MI, nats", legend: false)));

    /// <summary>
    /// A β sweep's phase diagram: final KL (log) and active units against β_max (log), one line per setting, with the
    /// predicted threshold <paramref name="betaStar"/> drawn as a vertical line.
    /// </summary>
    public static Figure Sweep(IReadOnlyList<SweepPoint> sweep, double betaStar, int latentDim, string title)
    {
        Figure Panel(Func<SweepPoint, double> y, string yTitle, bool logY, bool legend)
        {
            var traces = sweep.GroupBy(s => s.Setting).Select((g, i) => Fig.Scatter(g.Select(s => s.BetaMax), g.Select(y), g.Key, "lines+markers",
                Fig.Palette[i % Fig.Palette.Length])).ToList();
            traces.Add(Fig.Scatter(new[] { betaStar, betaStar }, new[] { logY ? 1e-8 : 0, logY ? sweep.Max(y) * 2 : latentDim }, "predicted β*", "lines",
                "#333333"));
            // The panels share one legend: the second panel's lines join the first one's legend groups.
            foreach (var t in traces) { Fig.Set(t, "legendgroup", t.Get("name")!); Fig.Set(t, "showlegend", legend); }
            return Fig.Chart(traces, ("xaxis.type", "log"), ("xaxis.title.text", "β_max"), ("yaxis.type", logY ? "log" : null), ("yaxis.title.text", yTitle));
        }
        return Fig.SideBySide(title,
            ("final KL, nats", Panel(s => Math.Max(s.FinalKl, 1e-8), "KL (log)", logY: true, legend: true)),
            ("active units", Panel(s => s.ActiveUnits, $"of {latentDim}", logY: false, legend: false)));
    }

    /// <summary>
    /// What each sweep run's final model generates and reconstructs (<see cref="EndQuality"/>) against β_max (log): the
    /// samples' k-NN Inception Score and the reconstructions' grain, one line per setting (stopped runs
    /// left out), with <paramref name="reference"/> (e.g. the β = 0 autoencoder) as a horizontal line and
    /// <paramref name="betaStar"/> as a vertical one.
    /// </summary>
    public static Figure SweepQuality(IReadOnlyList<SweepPoint> sweep, EndQuality reference, string referenceName, double betaStar, string title)
    {
        var points = sweep.Where(s => s.Quality is not null).ToList();
        if (points.Count == 0) throw new ArgumentException("No sweep point has an end quality (every run stopped early?).", nameof(sweep));
        double lo = points.Min(s => s.BetaMax), hi = points.Max(s => s.BetaMax);
        Figure Panel(Func<EndQuality, double> y, string yTitle, bool legend)
        {
            var traces = points.GroupBy(s => s.Setting).Select((g, i) => Fig.Scatter(g.Select(s => s.BetaMax), g.Select(s => y(s.Quality!)), g.Key,
                "lines+markers", Fig.Palette[i % Fig.Palette.Length])).ToList();
            traces.Add(Fig.Scatter(new[] { lo, hi }, new[] { y(reference), y(reference) }, referenceName, "lines", "#888888"));
            double top = Math.Max(points.Max(s => y(s.Quality!)), y(reference)) * 1.1;
            traces.Add(Fig.Scatter(new[] { betaStar, betaStar }, new[] { 0, top }, "predicted β*", "lines", "#333333"));
            foreach (var t in traces) { Fig.Set(t, "legendgroup", t.Get("name")!); Fig.Set(t, "showlegend", legend); }
            return Fig.Chart(traces, ("xaxis.type", "log"), ("xaxis.title.text", "β_max"), ("yaxis.title.text", yTitle));
        }
        return Fig.SideBySide(title,
            ("samples (S7)", Panel(q => q.SampleScore, "k-NN Inception Score, 1 to 10", legend: true)),
            ("reconstructions (S8)", Panel(q => q.ReconstructionGrain, "grain ÷ test images'", legend: false)));
    }
}
