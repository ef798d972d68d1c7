using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>What to do when a loss term is NaN or infinite.</summary>
public enum NonFinitePolicy
{
    /// <summary>Stop training with <see cref="NonFiniteLossException"/> (the default).</summary>
    Stop,
    /// <summary>Skip the batch (no parameter update) and count it in <see cref="History.SkippedBatches"/>.</summary>
    Skip,
}

/// <summary>A loss term became NaN or infinite. Names the step, the term and the last finite values.</summary>
public sealed class NonFiniteLossException : Exception
{
    public int Step { get; }
    public string Term { get; }
    public IReadOnlyDictionary<string, double> LastFinite { get; }

    public NonFiniteLossException(string run, int step, string term, double value, IReadOnlyDictionary<string, double> lastFinite)
        : base($"{run}: loss term '{term}' is {value.ToString(CultureInfo.InvariantCulture)} at step {step}. " +
               $"Last finite values: {(lastFinite.Count == 0 ? "none yet"
                   : string.Join(", ", lastFinite.Select(kv => $"{kv.Key}={kv.Value.ToString("G6", CultureInfo.InvariantCulture)}")))}. " +
               "Lower the learning rate, check the input scaling, or pass NonFinitePolicy.Skip to skip such batches.")
    {
        Step = step; Term = term; LastFinite = lastFinite;
    }
}

/// <summary>Per-step context: the step number and the non-finite guard.</summary>
public sealed class StepContext
{
    readonly string _run;
    readonly NonFinitePolicy _policy;
    readonly Dictionary<string, double> _lastFinite;
    internal bool SkipRequested;

    internal StepContext(string run, NonFinitePolicy policy, Dictionary<string, double> lastFinite)
    {
        _run = run; _policy = policy; _lastFinite = lastFinite;
    }

    /// <summary>A guard outside <see cref="TrainLoop.Run"/>, e.g. to drive one trainer phase by hand.</summary>
    public StepContext(string run, NonFinitePolicy policy = NonFinitePolicy.Stop) : this(run, policy, new Dictionary<string, double>()) { }

    /// <summary>Global step (0-based), over all epochs.</summary>
    public int Step { get; internal set; }
    public int Epoch { get; internal set; }

    /// <summary>
    /// Call before applying an update: true if <paramref name="loss"/> is finite. Otherwise throws
    /// (<see cref="NonFinitePolicy.Stop"/>) or returns false so the step returns without updating (Skip).
    /// </summary>
    public bool Finite(string term, Tensor loss)
    {
        double v = loss.detach().cpu().item<float>();
        if (double.IsFinite(v)) return true;
        if (_policy == NonFinitePolicy.Stop) throw new NonFiniteLossException(_run, Step, term, v, new Dictionary<string, double>(_lastFinite));
        SkipRequested = true;
        return false;
    }
}

/// <summary>Per-epoch means of every reported value, plus optional per-step values. JSON-serialisable (checkpoint cache).</summary>
public sealed class History
{
    /// <summary>Per-epoch means, by value name.</summary>
    public Dictionary<string, List<double>> EpochMeans { get; init; } = new();
    /// <summary>Per-step values, by value name (when the loop records steps).</summary>
    public Dictionary<string, List<double>> StepValues { get; init; } = new();
    public int SkippedBatches { get; set; }
    /// <summary>Wall time of the training loop in seconds, summed over the sittings of a resumed run.</summary>
    public double Seconds { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyCollection<string> Names => EpochMeans.Keys;
    /// <summary>Per-epoch means of <paramref name="name"/>.</summary>
    public IReadOnlyList<double> this[string name] => EpochMeans.TryGetValue(name, out var l) ? l : throw new KeyNotFoundException($"No value '{name}' in " +
        $"this history; it has: {string.Join(", ", EpochMeans.Keys)}.");
    /// <summary>Per-step values of <paramref name="name"/> (recorded when recordSteps is on).</summary>
    public IReadOnlyList<double> Steps(string name) => StepValues.TryGetValue(name, out var l) ? l : Array.Empty<double>();
    [System.Text.Json.Serialization.JsonIgnore]
    public int Epochs => EpochMeans.Count == 0 ? 0 : EpochMeans.Values.Max(l => l.Count);

    public void AddEpoch(IReadOnlyDictionary<string, double> means) => Append(EpochMeans, means);
    internal void AddStep(IReadOnlyDictionary<string, double> values) => Append(StepValues, values);

    static void Append(Dictionary<string, List<double>> into, IReadOnlyDictionary<string, double> values)
    {
        foreach (var (k, v) in values)
        {
            if (!into.TryGetValue(k, out var l)) into[k] = l = new List<double>();
            l.Add(v);
        }
    }

    /// <summary>The last epoch's mean of <paramref name="name"/>.</summary>
    public double Last(string name) => this[name][^1];
}

/// <summary>
/// The shared training loop: a dispose scope per step, progress, per-epoch history, interruption and the
/// non-finite guard. The step function does its own forward, backward and optimizer steps, calls
/// <see cref="StepContext.Finite"/> before each update, and returns its scalar loss terms.
/// </summary>
public static class TrainLoop
{
    /// <param name="name">Shown in progress and errors.</param>
    /// <param name="epochs">Number of passes.</param>
    /// <param name="batchesPerEpoch">For progress.</param>
    /// <param name="epochBatches">The batches of epoch e (reshuffled by the loader).</param>
    /// <param name="step">One training step; returns scalar tensors (loss terms) to record, or null when it skipped the
    /// batch (its guard rejected a non-finite loss under <see cref="NonFinitePolicy.Skip"/>).</param>
    /// <param name="onEpochEnd">Called after each epoch with its index and the history (e.g. checkpoints, eval).</param>
    /// <param name="recordSteps">Also keep per-step values (for loss curves over steps).</param>
    /// <param name="history">The history to extend (a resumed run's); a new one when null.</param>
    /// <param name="startEpoch">The first epoch to run (a resumed run skips the epochs its checkpoint holds).</param>
    public static History Run<TBatch>(
        string name, int epochs, int batchesPerEpoch,
        Func<int, IEnumerable<TBatch>> epochBatches,
        Func<TBatch, StepContext, IReadOnlyDictionary<string, Tensor>?> step,
        Action<int, History>? onEpochEnd = null,
        NonFinitePolicy policy = NonFinitePolicy.Stop,
        bool recordSteps = false,
        History? history = null,
        int startEpoch = 0)
    {
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be ≥ 0.");
        if (startEpoch < 0 || startEpoch > epochs) throw new ArgumentOutOfRangeException(nameof(startEpoch), startEpoch, $"startEpoch must be in 0..{epochs}.");
        history ??= new History();
        var lastFinite = new Dictionary<string, double>();
        var ctx = new StepContext(name, policy, lastFinite);
        // Steps count from the start of the whole run, so a resumed run numbers them as an uninterrupted one would.
        int skipped = startEpoch * batchesPerEpoch;
        var progress = new TrainingProgress(name, Math.Max(1, (epochs - startEpoch) * batchesPerEpoch));
        int global = skipped;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double secondsBefore = history.Seconds;
        try
        {
            for (int e = startEpoch; e < epochs; e++)
            {
                var sums = new Dictionary<string, double>();
                int counted = 0;
                ctx.Epoch = e;
                foreach (var batch in epochBatches(e))
                {
                    // A loader's batch is created outside this step's scope; free it when the step is done.
                    using var owned = batch as Batch;
                    Interrupts.ThrowIfRequested();
                    using var scope = torch.NewDisposeScope();
                    ctx.Step = global;
                    ctx.SkipRequested = false;
                    var terms = step(batch, ctx);
                    global++;
                    if (ctx.SkipRequested || terms is null)
                    {
                        history.SkippedBatches++;
                        continue;
                    }
                    var values = new Dictionary<string, double>(terms.Count);
                    foreach (var (k, t) in terms)
                    {
                        double v = t.detach().cpu().item<float>();
                        if (!double.IsFinite(v))
                        {
                            if (policy == NonFinitePolicy.Stop) throw new NonFiniteLossException(name, global - 1, k, v,
                                new Dictionary<string, double>(lastFinite));
                            history.SkippedBatches++;
                            values.Clear();
                            break;
                        }
                        values[k] = v;
                    }
                    if (values.Count == 0) continue;
                    foreach (var (k, v) in values)
                    {
                        sums[k] = sums.GetValueOrDefault(k) + v;
                        lastFinite[k] = v;
                    }
                    counted++;
                    if (recordSteps) history.AddStep(values);
                    progress.Report(global - skipped, values, $"epoch {e + 1}/{epochs}");
                }
                if (counted > 0) history.AddEpoch(sums.ToDictionary(kv => kv.Key, kv => kv.Value / counted));
                history.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
                onEpochEnd?.Invoke(e, history);
            }
            history.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            progress.Complete(history.SkippedBatches > 0 ? $"done, {history.SkippedBatches} non-finite batch(es) skipped" : "done");
        }
        catch (OperationCanceledException)
        {
            progress.Complete("interrupted");
            throw;
        }
        catch (NonFiniteLossException)
        {
            progress.Complete("stopped: non-finite loss");
            throw;
        }
        catch (Exception e) when (TorchSharpRaceException.Matches(e))
        {
            progress.Complete("failed: TorchSharp's race with the garbage collector");
            throw new TorchSharpRaceException(name, e);
        }
        return history;
    }
}
