using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Nn;

namespace VaeLab.Experiments.Collapse;

/// <summary>One run of a β sweep, summarised at its end (test batch; KL and MI in nats).</summary>
/// <param name="Setting">The run's family, e.g. "(b) constant β" or "MLP, constant β".</param>
/// <param name="BetaMax">The final KL weight of the run's schedule.</param>
/// <param name="MinKlFirstHalf">The smallest KL over the evaluations in the first half of training after step 0 (the
/// "dip", <see cref="CollapseRun.FirstHalfDip"/>).</param>
/// <param name="MeanRange">The final posterior means' band width (<see cref="LatentBands"/>), as the document's "range of the means".</param>
/// <param name="MeanStd">The final mean posterior standard deviation.</param>
/// <param name="Stopped">Why the run stopped early (a loss term became NaN or infinite; its numbers are then NaN), or null.</param>
/// <param name="Quality">What the final model generates and reconstructs (<see cref="EndQuality"/>); null for a stopped run.</param>
public sealed record SweepPoint(string Setting, CollapseObjective Objective, double BetaMax, double FinalKl, int ActiveUnits,
    double MutualInformation, double Reconstruction, double MinKlFirstHalf, bool FromCache, double MeanRange = double.NaN, double MeanStd = double.NaN,
    string? Stopped = null, EndQuality? Quality = null);

/// <summary>
/// Runs one setting of notebooks 03/04 at several final KL weights β_max, each through <see cref="CollapseTrainer"/>
/// (so each run is cached and starts from the same initial weights), and summarises every run's end. This is how the
/// notebooks locate where the document's observations hold: the β_max below which a code survives.
/// </summary>
public static class CollapseSweep
{
    /// <summary>
    /// The eigenvalues of the training images' pixel covariance (population, pixels in [0, 1]), largest first. With the
    /// document's loss, per-pixel MSE + β·KL, the model is a Gaussian decoder with noise variance σ² = 392 β per pixel
    /// (the MSE is a mean over 784 pixels); in a linear Gaussian VAE a latent direction stays active exactly when its
    /// eigenvalue exceeds σ² (Lucas et al. 2019, "Don't blame the ELBO!"), which predicts the threshold
    /// β* = λ₁ / 392 and, at a given β, as many active units as eigenvalues above 392 β.
    /// </summary>
    public static double[] PixelCovarianceEigenvalues(ImageDataset train)
    {
        using var scope = torch.NewDisposeScope();
        var x = train.Images.flatten(1).to(ScalarType.Float64).cpu();
        var centred = x - x.mean(new long[] { 0 }, keepdim: true);
        var cov = centred.t().matmul(centred) / x.shape[0];
        return torch.linalg.eigvalsh(cov).data<double>().ToArray().OrderByDescending(v => v).ToArray();
    }

    /// <summary>The β at which the document's loss predicts collapse (σ² = 392 β reaches the largest eigenvalue).</summary>
    public static double PredictedThreshold(IReadOnlyList<double> eigenvalues, int pixels = 784) => eigenvalues[0] / (pixels / 2.0);

    /// <summary>Active units the linear-Gaussian argument predicts at <paramref name="beta"/> (at most <paramref name="latentDim"/>).</summary>
    public static int PredictedActiveUnits(IReadOnlyList<double> eigenvalues, double beta, int latentDim, int pixels = 784) =>
        Math.Min(latentDim, eigenvalues.Count(l => l > beta * pixels / 2.0));

    /// <summary><paramref name="count"/> values from <paramref name="from"/> to <paramref name="to"/>, evenly spaced in log.</summary>
    public static double[] LogSpaced(double from, double to, int count)
    {
        if (!(from > 0 && to > from)) throw new ArgumentOutOfRangeException(nameof(from), $"LogSpaced needs 0 < from < to; got {from} and {to}.");
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "LogSpaced needs at least 2 values.");
        double a = Math.Log10(from), b = Math.Log10(to);
        return Enumerable.Range(0, count).Select(i => i == count - 1 ? to : Math.Pow(10, a + (b - a) * i / (count - 1))).ToArray();
    }

    /// <summary>
    /// The largest β_max among <paramref name="points"/> whose run ends with at least one active unit (NaN when none
    /// does, or when there are no points); runs that stopped early count as not keeping a code. How far up the sweep's
    /// grid a setting keeps a code, to compare two architectures on the same grid.
    /// </summary>
    public static double LargestBetaKeepingCode(IEnumerable<SweepPoint> points) =>
        points.Where(p => p.Stopped is null && p.ActiveUnits >= 1).Select(p => p.BetaMax).DefaultIfEmpty(double.NaN).Max();

    /// <summary>
    /// Trains <paramref name="makeModel"/> under <paramref name="schedule"/>(β_max) for each of <paramref name="betaMax"/>
    /// and returns one <see cref="SweepPoint"/> per run, in order. The runs train together, <see cref="CollapseConfig.BatchedMembers"/>
    /// at a time (<see cref="CollapseTrainer.TrainMany"/>); each is cached as if trained alone.
    /// </summary>
    public static IReadOnlyList<SweepPoint> Run<TModel>(string setting, Func<TModel> makeModel, Func<double, BetaSchedule> schedule,
        IReadOnlyList<double> betaMax, DatasetSplits data, CollapseConfig cfg, bool retrain = false)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        if (betaMax.Count == 0) throw new ArgumentException("A sweep needs at least one β_max.", nameof(betaMax));
        foreach (var b in betaMax)
            if (!(b >= 0)) throw new ArgumentOutOfRangeException(nameof(betaMax), b, "β_max must be ≥ 0.");
        var runs = CollapseTrainer.TrainMany(makeModel, betaMax.Select(b => new CollapseMember($"{setting}, β_max = {b:G3}", schedule(b), cfg.Seed)).ToArray(),
            data, cfg, retrain);
        foreach (var r in runs.Where(r => r.Diverged != null))
            VaeLab.Reporting.RunLog.Current.Warn($"{r.Name}: stopped at step {r.Diverged!.Step} (loss term '{r.Diverged.Term}' not finite); its sweep point " +
                $"has no numbers (Stopped).");
        return runs.Select((run, i) => run.Diverged is { } e
            ? new SweepPoint(setting, cfg.Objective, betaMax[i], double.NaN, 0, double.NaN, double.NaN, double.NaN, false,
                Stopped: $"stopped at step {e.Step}: '{e.Term}' not finite")
            : new SweepPoint(setting, cfg.Objective, betaMax[i], run.Final.Kl, run.Final.ActiveUnits, run.Final.MutualInformation,
                run.Final.Reconstruction, run.FirstHalfDip.Kl, run.FromCache, run.Final.MeanRange, run.Final.MeanStd, Quality: run.Quality)).ToList();
    }
}
