namespace VaeLab.Reporting;

/// <summary>
/// What one notebook run records for the report: claims, metrics, the dataset asked for and the one used, and
/// warnings. The runner calls <see cref="Begin"/> before each notebook and reads <see cref="Current"/> after it.
/// </summary>
public sealed class RunLog
{
    readonly object _gate = new();
    readonly List<Claim> _claims = new();
    readonly List<Metric> _metrics = new();
    readonly List<string> _warnings = new();
    readonly List<DatasetUse> _datasets = new();

    /// <summary>The log of the notebook running now.</summary>
    public static RunLog Current { get; private set; } = new(judge: true);

    /// <summary>Starts a fresh log; <paramref name="judge"/> is false under the smoke profile.</summary>
    public static RunLog Begin(bool judge) => Current = new RunLog(judge);

    RunLog(bool judge) => Judge = judge;

    /// <summary>Whether claims are judged (false under smoke: training is too short for the documents' claims).</summary>
    public bool Judge { get; set; }

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
}

/// <summary>The dataset a notebook asked for, the one it got, and from where.</summary>
public sealed record DatasetUse(string Requested, string Used, string Source);
