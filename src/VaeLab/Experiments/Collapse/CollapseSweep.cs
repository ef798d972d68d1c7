using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Nn;

namespace VaeLab.Experiments.Collapse;

/// <summary>One run of a β sweep, summarised at its end (test batch; KL and MI in nats).</summary>
/// <param name="Setting">The run's family, e.g. "(b) constant β" or "MLP, constant β".</param>
/// <param name="BetaMax">The final KL weight of the run's schedule.</param>
/// <param name="MinKlFirstHalf">The smallest KL over the evaluations in the first half of training (the "dip").</param>
public sealed record SweepPoint(string Setting, CollapseObjective Objective, double BetaMax, double FinalKl, int ActiveUnits,
    double MutualInformation, double Reconstruction, double MinKlFirstHalf, bool FromCache);

/// <summary>
/// Runs one setting of notebooks 03/04 at several final KL weights β_max, each through <see cref="CollapseTrainer"/>
/// (so each run is cached and starts from the same initial weights), and summarises every run's end. This is how the
/// notebooks locate where the document's observations hold: the β_max below which a code survives.
/// </summary>
public static class CollapseSweep
{
    /// <summary><paramref name="count"/> values from <paramref name="from"/> to <paramref name="to"/>, evenly spaced in log.</summary>
    public static double[] LogSpaced(double from, double to, int count)
    {
        if (!(from > 0 && to > from)) throw new ArgumentOutOfRangeException(nameof(from), $"LogSpaced needs 0 < from < to; got {from} and {to}.");
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "LogSpaced needs at least 2 values.");
        double a = Math.Log10(from), b = Math.Log10(to);
        return Enumerable.Range(0, count).Select(i => i == count - 1 ? to : Math.Pow(10, a + (b - a) * i / (count - 1))).ToArray();
    }

    /// <summary>
    /// Trains <paramref name="makeModel"/> under <paramref name="schedule"/>(β_max) for each of <paramref name="betaMax"/>
    /// and returns one <see cref="SweepPoint"/> per run, in order.
    /// </summary>
    public static IReadOnlyList<SweepPoint> Run<TModel>(string setting, Func<TModel> makeModel, Func<double, BetaSchedule> schedule,
        IReadOnlyList<double> betaMax, DatasetSplits data, CollapseConfig cfg, bool retrain = false)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        if (betaMax.Count == 0) throw new ArgumentException("A sweep needs at least one β_max.", nameof(betaMax));
        var points = new List<SweepPoint>(betaMax.Count);
        foreach (var b in betaMax)
        {
            if (!(b >= 0)) throw new ArgumentOutOfRangeException(nameof(betaMax), b, "β_max must be ≥ 0.");
            var run = CollapseTrainer.Train($"{setting}, β_max = {b:G3}", makeModel, schedule(b), data, cfg, retrain);
            var firstHalf = run.Snapshots.Where(s => s.Step <= run.TotalSteps / 2).DefaultIfEmpty(run.Snapshots[0]);
            points.Add(new SweepPoint(setting, cfg.Objective, b, run.Final.Kl, run.Final.ActiveUnits, run.Final.MutualInformation,
                run.Final.Reconstruction, firstHalf.Min(s => s.Kl), run.FromCache));
        }
        return points;
    }
}
