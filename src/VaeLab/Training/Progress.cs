using System.Diagnostics;
using System.Globalization;
using System.Net;
using VaeLab.Reporting;

namespace VaeLab.Training;

/// <summary>
/// Training progress: one display in the notebook that updates in place (vaelab run prints its text beside the running
/// cell), and, for console hosts, a line at most every <see cref="ConsoleInterval"/>.
/// </summary>
public sealed class TrainingProgress : IHtmlRenderable
{
    readonly string _name;
    readonly int _totalSteps;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly IDisplayHandle _handle;
    TimeSpan? _lastConsole, _lastDisplay;
    int _step;
    IReadOnlyDictionary<string, double> _values = new Dictionary<string, double>();
    string _status = "running";

    /// <summary>Minimum time between console lines.</summary>
    public static TimeSpan ConsoleInterval { get; set; } = TimeSpan.FromSeconds(5);
    static readonly TimeSpan DisplayInterval = TimeSpan.FromMilliseconds(500);

    public TrainingProgress(string name, int totalSteps)
    {
        _name = name;
        _totalSteps = Math.Max(1, totalSteps);
        _handle = DisplayHost.Current.Display(this);
    }

    public int Step => _step;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Reports that <paramref name="step"/> steps are done, with the latest loss values.</summary>
    public void Report(int step, IReadOnlyDictionary<string, double> values, string? epochLabel = null)
    {
        _step = step;
        _values = values;
        if (epochLabel != null) _status = epochLabel;
        var now = _clock.Elapsed;
        if (_lastDisplay is null || now - _lastDisplay >= DisplayInterval || step >= _totalSteps)
        {
            _lastDisplay = now;
            _handle.Update(this);
        }
        if (_lastConsole is null || now - _lastConsole >= ConsoleInterval || step >= _totalSteps)
        {
            _lastConsole = now;
            DisplayHost.Current.Progress(ToString());
        }
    }

    /// <summary>Marks the run finished and shows the final state.</summary>
    public void Complete(string status = "done")
    {
        _status = status;
        _handle.Update(this);
        DisplayHost.Current.Progress(ToString());
    }

    string ValuesText() => string.Join("  ", _values.Select(kv => $"{kv.Key} {kv.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));

    public override string ToString()
    {
        double frac = Math.Min(1.0, _step / (double)_totalSteps);
        var eta = _step > 0 && frac < 1 ? TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (1 - frac) / frac) : TimeSpan.Zero;
        return $"{_name}: {_step}/{_totalSteps} steps ({frac:P0}) {_status}, {_clock.Elapsed:mm\\:ss} " +
            $"elapsed{(eta > TimeSpan.Zero ? $", ~{eta:mm\\:ss} left" : "")}  {ValuesText()}";
    }

    public string ToHtml()
    {
        double frac = Math.Min(1.0, _step / (double)_totalSteps);
        return $"<div class=\"vaelab-progress\"><b>{WebUtility.HtmlEncode(_name)}</b> " +
               $"<progress value=\"{_step}\" max=\"{_totalSteps}\"></progress> {frac:P0} · {WebUtility.HtmlEncode(_status)} · {_clock.Elapsed:mm\\:ss}" +
               $"<br><code>{WebUtility.HtmlEncode(ValuesText())}</code></div>";
    }
}
