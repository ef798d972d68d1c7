using System.Globalization;
using System.Text.Json;
using VaeLab.Reporting;

namespace VaeLab.Runner.Notebooks;

/// <summary>One seed's measurement of a claim and its verdict there.</summary>
public sealed record RunSeed(int Seed, double Measured, Verdict Verdict);

/// <param name="Measured">The measurement; over seeds, their median.</param>
/// <param name="Seeds">Each seed's outcome, for a claim judged over seeds; empty for one measurement.</param>
public sealed record RunClaim(string Statement, string Measure, double Measured, string Bound, Verdict Verdict, string? Note,
    IReadOnlyList<RunSeed>? Seeds = null);
public sealed record RunMetric(string Name, double Value, string? Unit, string? Note);
public sealed record RunDataset(string Requested, string Used, string Source);

/// <summary>
/// What a notebook recorded through VaeLab's RunLog (claims, metrics, datasets, warnings), read from its kernel after
/// the last cell as JSON: the runner shares no types with the library the notebook loaded.
/// </summary>
public sealed record RunRecord(IReadOnlyList<RunClaim> Claims, IReadOnlyList<RunMetric> Metrics, IReadOnlyList<RunDataset> Datasets,
    IReadOnlyList<string> Warnings)
{
    public static readonly RunRecord Empty = new([], [], [], []);

    /// <summary>The C# expression the runner evaluates in the notebook's kernel.</summary>
    public const string Expression = "VaeLab.Reporting.RunLog.Current.ToJson()";

    public static RunRecord Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        static string? S(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static double D(JsonElement e, string name) => double.Parse(S(e, name) ?? "NaN", CultureInfo.InvariantCulture);
        var claims = root.GetProperty("claims").EnumerateArray().Select(c => new RunClaim(
            S(c, "statement") ?? "", S(c, "measure") ?? "", D(c, "measured_text"), S(c, "bound") ?? "",
            Enum.Parse<Verdict>(S(c, "verdict") ?? "NotJudged"), S(c, "note"),
            c.TryGetProperty("seeds", out var seeds) && seeds.ValueKind == JsonValueKind.Array
                ? seeds.EnumerateArray().Select(x => new RunSeed(x.GetProperty("seed").GetInt32(), D(x, "measured_text"),
                    Enum.Parse<Verdict>(S(x, "verdict") ?? "NotJudged"))).ToList()
                : null)).ToList();
        var metrics = root.GetProperty("metrics").EnumerateArray().Select(m => new RunMetric(
            S(m, "name") ?? "", D(m, "value_text"), S(m, "unit"), S(m, "note"))).ToList();
        var datasets = root.GetProperty("datasets").EnumerateArray().Select(d => new RunDataset(
            S(d, "requested") ?? "", S(d, "used") ?? "", S(d, "source") ?? "")).ToList();
        var warnings = root.GetProperty("warnings").EnumerateArray().Select(w => w.GetString() ?? "").ToList();
        return new RunRecord(claims, metrics, datasets, warnings);
    }
}
