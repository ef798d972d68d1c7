using System.Text.Json.Serialization;

namespace VaeLab.Training;

/// <summary>
/// What every trainer returns: the run's name, its <see cref="History"/> (per-epoch means and, where recorded,
/// per-step values, plus the training time), and whether the checkpoint cache supplied it. Experiments derive their
/// own run records from it with what they add (the model, evaluations, clusterings).
/// </summary>
public record TrainingRun(string Name, History History)
{
    /// <summary>True when the weights and these records came from the checkpoint cache (Seconds is then the original run's).</summary>
    public bool FromCache { get; init; }

    /// <summary>Wall time of the training loop, in seconds (over all sittings of a resumed run).</summary>
    public double Seconds => History.Seconds;

    /// <summary>Per-epoch means of <paramref name="name"/>, as <see cref="History"/>'s indexer.</summary>
    public IReadOnlyList<double> this[string name] => History[name];
}

/// <summary>
/// An experiment's name in the checkpoint cache and the format of its entries, declared once per experiment. Bump
/// <see cref="Format"/> when the experiment's training changes in a way the cache key cannot see.
/// </summary>
public sealed record CacheTag(string Experiment, int Format)
{
    /// <summary>The cache name of one of the experiment's runs: experiment-run-vFormat.</summary>
    public string For(string run) => $"{Experiment}-{run}-v{Format}";
}
