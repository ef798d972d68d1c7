using VaeLab.Data;
namespace VaeLab.Reporting;

/// <summary>
/// What one notebook run records for the report: claims, metrics, the dataset asked for and the one used, and
/// warnings. The kernel extension starts one per kernel (<see cref="Begin"/>); <c>vaelab run</c> reads it from the
/// kernel after the last cell (<see cref="ToJson"/>).
/// </summary>
public sealed class RunLog
{
    readonly object _gate = new();
    readonly List<Claim> _claims = new();
    readonly List<Metric> _metrics = new();
    readonly List<string> _warnings = new();
    readonly List<DatasetUse> _datasets = new();

    /// <summary>The log of the notebook running now.</summary>
    public static RunLog Current { get; private set; } = new();

    /// <summary>Starts a fresh log.</summary>
    public static RunLog Begin() => Current = new RunLog();

    public IReadOnlyList<Claim> Claims { get { lock (_gate) return _claims.ToArray(); } }
    public IReadOnlyList<Metric> Metrics { get { lock (_gate) return _metrics.ToArray(); } }
    public IReadOnlyList<string> Warnings { get { lock (_gate) return _warnings.ToArray(); } }
    public IReadOnlyList<DatasetUse> Datasets { get { lock (_gate) return _datasets.ToArray(); } }

    public void Add(Claim c) { lock (_gate) _claims.Add(c); }
    public void Add(Metric m) { lock (_gate) _metrics.Add(m); }

    /// <summary>Records a warning and shows it (console, and the notebook display when a host is present).</summary>
    public void Warn(string message)
    {
        lock (_gate) _warnings.Add(message);
        DisplayHost.Current.Warn(message);
    }

    public void RecordDataset(DatasetUse use) { lock (_gate) _datasets.Add(use); }

    /// <summary>The log as JSON (claims, metrics, datasets, warnings), for hosts that do not share VaeLab's types.</summary>
    public string ToJson()
    {
        lock (_gate)
            return System.Text.Json.JsonSerializer.Serialize(new
            {
                claims = _claims.Select(c => new
                {
                    statement = c.Statement, measure = c.Measure, measured = Finite(c.Measured),
                        measured_text = c.Measured.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    bound = c.Bound.ToString(), verdict = c.Verdict.ToString(), note = c.Note,
                    seeds = c.Seeds?.Select(x => new { seed = x.Seed,
                        measured_text = x.Measured.ToString("R", System.Globalization.CultureInfo.InvariantCulture), verdict = x.Verdict.ToString() }),
                }),
                metrics = _metrics.Select(m => new { name = m.Name, value = Finite(m.Value),
                    value_text = m.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), unit = m.Unit, note = m.Note }),
                datasets = _datasets.Select(d => new { requested = d.Requested, used = d.Used, source = d.Source }),
                warnings = _warnings,
            });
    }

    // JSON has no NaN or infinity; the *_text fields keep them.
    static double? Finite(double x) => double.IsFinite(x) ? x : null;
}

/// <summary>The dataset a notebook asked for, the one it got, and from where.</summary>
public sealed record DatasetUse(string Requested, string Used, string Source);
