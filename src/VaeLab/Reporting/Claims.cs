using System.Globalization;
using System.Net;
using System.Text;

namespace VaeLab.Reporting;

/// <summary>How a measured number is judged against a document's claim.</summary>
public sealed record Bound(string Op, double Value, double? Upper = null)
{
    public static Bound LessThan(double v) => new("<", v);
    public static Bound AtMost(double v) => new("≤", v);
    public static Bound GreaterThan(double v) => new(">", v);
    public static Bound AtLeast(double v) => new("≥", v);
    /// <summary>Inclusive range [lo, hi].</summary>
    public static Bound Between(double lo, double hi) => new("in", lo, hi);

    public bool Holds(double x) => !double.IsNaN(x) && Op switch
    {
        "<" => x < Value,
        "≤" => x <= Value,
        ">" => x > Value,
        "≥" => x >= Value,
        "in" => x >= Value && x <= Upper!.Value,
        _ => throw new InvalidOperationException($"Unknown bound operator '{Op}'."),
    };

    public override string ToString() => Op == "in"
        ? $"in [{Fmt.Num(Value)}, {Fmt.Num(Upper!.Value)}]"
        : $"{Op} {Fmt.Num(Value)}";
}

/// <summary>One seed's measurement of a claim and its verdict on that seed.</summary>
public sealed record SeedOutcome(int Seed, double Measured, Verdict Verdict);

/// <summary>A document's claim checked against a measured number.</summary>
/// <param name="Measured">The measurement; over several seeds, their median.</param>
/// <param name="Seeds">Each seed's measurement and verdict, for a claim judged over seeds (null for one measurement).</param>
public sealed record Claim(string Statement, string Measure, double Measured, Bound Bound, Verdict Verdict, string? Note = null,
    IReadOnlyList<SeedOutcome>? Seeds = null)
{
    public bool Passed => Verdict == Verdict.Passed;
}

/// <summary>A named measurement, e.g. the final test ELBO in nats.</summary>
public sealed record Metric(string Name, double Value, string? Unit = null, string? Note = null);

static class Fmt
{
    public static string Num(double x) =>
        double.IsNaN(x) ? "NaN" :
        x == 0 ? "0" :
        Math.Abs(x) >= 1e4 || Math.Abs(x) < 1e-3 ? x.ToString("0.###e+0", CultureInfo.InvariantCulture) :
        x.ToString("0.####", CultureInfo.InvariantCulture);
    public static string H(string s) => WebUtility.HtmlEncode(s);
}

/// <summary>
/// The claims of one notebook (or one part of it). Each check is also recorded in <see cref="RunLog.Current"/>,
/// which the runner collects into summary.json. Displays as a table (HTML in the runner, text elsewhere).
/// </summary>
public sealed class ClaimSet : IHtmlRenderable
{
    readonly List<Claim> _claims = new();
    public string? Title { get; }

    /// <summary>Whether claims are judged: not under the smoke profile, whose runs are too short for the documents' claims.</summary>
    public bool Judged { get; }

    /// <param name="title">Shown above the table.</param>
    /// <param name="profile">The notebook's profile; under "smoke" claims are measured and recorded, not judged.</param>
    public ClaimSet(string? title = null, string profile = "default")
    {
        Title = title;
        Judged = RunContract.JudgesClaims(profile);
    }
    public IReadOnlyList<Claim> Items => _claims;

    /// <summary>
    /// Records a claim. <paramref name="measure"/> names what was measured ("|mean of codes|").
    /// Under the smoke profile (<see cref="Judged"/> false) the verdict is NotJudged.
    /// </summary>
    public Claim Check(string statement, string measure, double measured, Bound bound, string? note = null)
    {
        var verdict = !Judged ? Verdict.NotJudged : bound.Holds(measured) ? Verdict.Passed : Verdict.Failed;
        return Record(new Claim(statement, measure, measured, bound, verdict, note));
    }

    /// <summary>
    /// Records a claim measured once per seed. The rule, fixed before any run: the measured value is the median over
    /// seeds; the verdict is Passed where the bound holds on every seed, Failed where it holds on none, and Mixed where
    /// it holds on some (under smoke, NotJudged). The note lists every seed's value.
    /// </summary>
    public Claim Check(string statement, string measure, IEnumerable<(int Seed, double Measured)> perSeed, Bound bound, string? note = null) =>
        Record(OverSeeds(statement, measure, perSeed.Select(p => (p.Seed, p.Measured, true)), bound, note, whyNot: null));

    /// <summary>
    /// A claim over seeds whose measure means what the statement says only on some seeds (a comparison with a run
    /// that keeps a code, say): seeds where <c>Meaningful</c> is false are not judged, the verdict comes from the
    /// others by the rule of <see cref="Check(string, string, IEnumerable{ValueTuple{int, double}}, Bound, string?)"/>,
    /// and with none left the claim is NotJudged and its note says why.
    /// </summary>
    public Claim CheckWhere(string whyNot, string statement, string measure, IEnumerable<(int Seed, double Measured, bool Meaningful)> perSeed, Bound bound,
        string? note = null) =>
        Record(OverSeeds(statement, measure, perSeed, bound, note, whyNot));

    Claim Record(Claim c)
    {
        _claims.Add(c);
        RunLog.Current.Add(c);
        return c;
    }

    Claim OverSeeds(string statement, string measure, IEnumerable<(int Seed, double Measured, bool Meaningful)> perSeed, Bound bound, string? note,
        string? whyNot)
    {
        var list = perSeed.ToList();
        if (list.Count == 0) throw new ArgumentException($"Claim '{statement}': no seeds were measured; pass at least one (seed, value).", nameof(perSeed));
        var seeds = list.Select(p => new SeedOutcome(p.Seed, p.Measured,
            !Judged || !p.Meaningful ? Verdict.NotJudged : bound.Holds(p.Measured) ? Verdict.Passed : Verdict.Failed)).ToList();
        var judged = seeds.Where(x => x.Verdict != Verdict.NotJudged).ToList();
        var verdict = judged.Count == 0 ? Verdict.NotJudged
            : judged.All(x => x.Verdict == Verdict.Passed) ? Verdict.Passed
            : judged.All(x => x.Verdict == Verdict.Failed) ? Verdict.Failed : Verdict.Mixed;
        var skipped = list.Where(p => !p.Meaningful).Select(p => p.Seed).ToList();
        string? why = whyNot == null || skipped.Count == 0 ? null
            : skipped.Count == list.Count ? $"not judged: {whyNot}" : $"seed(s) {string.Join(", ", skipped)} not judged: {whyNot}";
        var spread = $"seeds {string.Join(", ", seeds.Select(x => $"{x.Seed}: {Fmt.Num(x.Measured)}"))}";
        var text = string.Join("; ", new[] { why, spread, note }.Where(t => t != null));
        return new Claim(statement, measure, Median(seeds.Select(x => x.Measured)), bound, verdict, text, seeds);
    }

    /// <summary>The median (the mean of the middle two for an even count); NaN if any value is NaN.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0 || v.Any(double.IsNaN)) return double.NaN;
        Array.Sort(v);
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>
    /// Records a claim whose measure says what the statement says only under a condition (a comparison among runs that
    /// keep a code, say): where <paramref name="meaningful"/> is false the verdict is NotJudged and the note says why.
    /// </summary>
    public Claim CheckWhere(bool meaningful, string whyNot, string statement, string measure, double measured, Bound bound, string? note = null)
    {
        if (meaningful) return Check(statement, measure, measured, bound, note);
        return Record(new Claim(statement, measure, measured, bound, Verdict.NotJudged, $"not judged: {whyNot}{(note != null ? $"; {note}" : "")}"));
    }

    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"vaelab-claims\"><thead>");
        if (Title != null) sb.Append($"<tr><th colspan=\"5\" style=\"text-align:left\">{Fmt.H(Title)}</th></tr>");
        sb.Append("<tr><th style=\"text-align:left\">claim</th><th " +
            "style=\"text-align:left\">measure</th><th>measured</th><th>bound</th><th>verdict</th></tr></thead><tbody>");
        foreach (var c in _claims)
        {
            var (label, colour) = c.Verdict switch
            {
                Verdict.Passed => ("passed", "#1a7f37"),
                Verdict.Failed => ("FAILED", "#cf222e"),
                Verdict.Mixed => ($"mixed ({c.Seeds!.Count(x => x.Verdict == Verdict.Passed)} of {c.Seeds!.Count} seeds)", "#9a6700"),
                _ => (Judged ? "not judged" : "not judged (smoke)", "#6e7781"),
            };
            sb.Append($"<tr><td style=\"text-align:left\">{Fmt.H(c.Statement)}{(c.Note != null ? $"<br><small>{Fmt.H(c.Note)}</small>" : "")}</td>")
              .Append($"<td style=\"text-align:left\">{Fmt.H(c.Measure)}</td><td>{Fmt.Num(c.Measured)}</td><td>{Fmt.H(c.Bound.ToString())}</td>")
              .Append($"<td style=\"color:{colour};font-weight:bold\">{label}</td></tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Title != null) sb.AppendLine(Title);
        foreach (var c in _claims)
            sb.AppendLine($"[{(c.Verdict == Verdict.Passed ? "passed" : c.Verdict == Verdict.Failed ? "FAILED" : "not judged")}] " +
                $"{c.Statement}: {c.Measure} = {Fmt.Num(c.Measured)} (bound {c.Bound})");
        return sb.ToString();
    }
}

/// <summary>Named metrics of a notebook; each is also recorded in <see cref="RunLog.Current"/>.</summary>
public sealed class MetricSet : IHtmlRenderable
{
    readonly List<Metric> _metrics = new();
    public IReadOnlyList<Metric> Items => _metrics;

    public Metric Record(string name, double value, string? unit = null, string? note = null)
    {
        var m = new Metric(name, value, unit, note);
        _metrics.Add(m);
        RunLog.Current.Add(m);
        return m;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder("<table class=\"vaelab-metrics\"><thead><tr><th style=\"text-align:left\">metric</th><th>value</th><th " +
            "style=\"text-align:left\">unit</th><th style=\"text-align:left\">note</th></tr></thead><tbody>");
        foreach (var m in _metrics)
            sb.Append($"<tr><td style=\"text-align:left\">{Fmt.H(m.Name)}</td><td>{Fmt.Num(m.Value)}</td><td " +
                $"style=\"text-align:left\">{Fmt.H(m.Unit ?? "")}</td><td style=\"text-align:left\">{Fmt.H(m.Note ?? "")}</td></tr>");
        return sb.Append("</tbody></table>").ToString();
    }

    public override string ToString() => string.Join(Environment.NewLine, _metrics.Select(m => $"{m.Name} = " +
        $"{Fmt.Num(m.Value)}{(m.Unit != null ? " " + m.Unit : "")}"));
}
