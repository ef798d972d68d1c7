namespace VaeLab;

/// <summary>
/// The three run profiles every experiment config offers through its <c>For(profile)</c>: <c>smoke</c> runs every
/// cell in seconds (CI), <c>default</c> takes minutes on 2 cores, <c>paper</c> uses the document's settings.
/// </summary>
public static class Profiles
{
    public const string Smoke = RunContract.Smoke, Default = RunContract.Default, Paper = RunContract.Paper;

    /// <summary>The profiles, fastest first.</summary>
    public static IReadOnlyList<string> Names => RunContract.Profiles;

    /// <summary>
    /// The seeds a notebook judges its claims over (0, 1, …): one under smoke (CI only checks that every cell runs),
    /// three otherwise, since one seed is an anecdote. <paramref name="count"/>, when given, overrides it.
    /// </summary>
    public static IReadOnlyList<int> Seeds(string profile, int? count = null)
    {
        if (!Names.Contains(profile)) throw Unknown(profile);
        int n = count ?? (profile == Smoke ? 1 : 3);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(count), n, "seeds must be at least 1.");
        return Enumerable.Range(0, n).ToArray();
    }

    /// <summary>The one error for a profile no config knows.</summary>
    public static ArgumentException Unknown(string? profile) =>
        new($"Unknown profile '{profile}'. Use \"{Smoke}\" (seconds, every cell), \"{Default}\" (minutes on 2 cores) or \"{Paper}\" (the document's " +
            $"settings).", nameof(profile));
}

/// <summary>
/// Range checks for a config's <c>Validate()</c>: each error names the config, the field, its value and the allowed
/// range, so a wrong override in a notebook's parameters cell is fixed from the message alone.
/// </summary>
public sealed class ConfigCheck(string config)
{
    ArgumentException Error(string field, object value, string range) =>
        new($"{config}.{field} = {value} is out of range: it must be {range}.", field);

    public ConfigCheck AtLeast(string field, double value, double min)
    {
        if (!(value >= min)) throw Error(field, value, $"≥ {min}");
        return this;
    }

    public ConfigCheck Positive(string field, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw Error(field, value, "> 0 and finite");
        return this;
    }

    /// <summary>A count where 0 means "all of them".</summary>
    public ConfigCheck CountOrAll(string field, int value)
    {
        if (value < 0) throw Error(field, value, "≥ 0 (0 = all)");
        return this;
    }

    public ConfigCheck Between(string field, double value, double min, double max)
    {
        if (!(value >= min && value <= max)) throw Error(field, value, $"in [{min}, {max}]");
        return this;
    }

    /// <summary>A rule across fields, with the message to show when it fails.</summary>
    public ConfigCheck That(bool holds, string field, string message)
    {
        if (!holds) throw new ArgumentException($"{config}.{field}: {message}", field);
        return this;
    }
}
