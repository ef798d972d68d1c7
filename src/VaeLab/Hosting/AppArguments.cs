namespace VaeLab.Hosting;

/// <summary>Input an exported app refuses before any cell runs (exit code 2, as `vaelab run`).</summary>
public sealed class AppBadInputException(string message) : Exception(message);

/// <summary>
/// An exported app's command line: <c>-p name=value</c> (or <c>--parameter name=value</c>), <c>--profile X</c> as
/// shorthand for <c>-p profile=X</c>, and <c>--help</c>. Every value is checked against the parameters cell's
/// declarations here, before anything runs, with the rules and messages of `vaelab run` (<see cref="ParameterText"/>).
/// </summary>
internal sealed class AppArguments
{
    /// <summary>Values given, by name (the last one wins, as in `vaelab run`), read as <see cref="ParameterText.Literal"/>.</summary>
    public Dictionary<string, (string Raw, ParameterText.Literal Value)> Values { get; } = new(StringComparer.Ordinal);
    public bool Help { get; private set; }

    /// <summary>Reads <paramref name="args"/> against <paramref name="declared"/>: "name:type" per variable of the
    /// parameters cell (type: the declared C# type, or empty when unknown, a var with a non-literal default).
    /// Problems are <see cref="AppBadInputException"/>s naming <paramref name="notebook"/>.</summary>
    public static AppArguments Parse(IReadOnlyList<string> args, string notebook, IReadOnlyList<string> declared)
    {
        var types = declared.Select(d => d.Split(':', 2)).ToDictionary(p => p[0], p => p.Length > 1 && p[1].Length > 0 ? p[1] : null, StringComparer.Ordinal);
        var result = new AppArguments();
        var pairs = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "-h" or "--help" or "-?") { result.Help = true; continue; }
            if (a is "-p" or "--parameter" or "--profile")
            {
                if (i + 1 >= args.Count) throw new AppBadInputException($"{a} needs a value: {(a == "--profile" ? "--profile smoke" : "-p name=value")}.");
                pairs.Add(a == "--profile" ? "profile=" + args[++i] : args[++i]);
                continue;
            }
            if (a.StartsWith("-p", StringComparison.Ordinal) && a.Length > 2 && a.Contains('=')) { pairs.Add(a[2..]); continue; }
            throw new AppBadInputException($"unknown argument '{a}'. Usage: dotnet run {notebook.Replace(".ipynb", ".cs")} -- [-p name=value]... (see --help)");
        }
        foreach (var pair in pairs)
        {
            var split = ParameterText.Split(pair, out var error) ?? throw new AppBadInputException(error!);
            if (!types.TryGetValue(split.Name, out var type))
                throw new AppBadInputException(ParameterText.Unknown(notebook, split.Name, types.Keys));
            var baseType = type?.TrimEnd('?').Trim();
            var value = ParameterText.Read(split.Raw, baseType);
            if (baseType != null && !ParameterText.Compatible(baseType, value.Type))
                throw new AppBadInputException(ParameterText.Mismatch(notebook, split.Name, split.Raw, type!, baseType));
            result.Values[split.Name] = (split.Raw, value);
        }
        return result;
    }

    /// <summary>The value of <paramref name="name"/> as a <typeparamref name="T"/>, or <paramref name="fallback"/> when not given.</summary>
    public T Get<T>(string notebook, string name, T fallback)
    {
        if (!Values.TryGetValue(name, out var given)) return fallback;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        object value = given.Value.Value;
        if (target == typeof(string)) return (T)(object)(value is string s ? s : given.Raw.Trim('"'));
        if (target == typeof(object)) return (T)value;
        try
        {
            return (T)Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            // A var declaration whose default is of a type the literal does not fit (e.g. -p epochs=0.5 for 'var epochs = 3').
            throw new AppBadInputException(ParameterText.Mismatch(notebook, name, given.Raw, target.Name, target.Name));
        }
    }
}
