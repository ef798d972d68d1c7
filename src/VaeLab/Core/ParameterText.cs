using System.Globalization;
using System.Text;

namespace VaeLab;

/// <summary>
/// How a <c>-p name=value</c> is read: the value's type comes from its text (int, then double, then true/false, else a
/// string; quotes force a string), and a parameter declared with an explicit type accepts only values of that type.
/// `vaelab run` (which writes the value into an injected cell) and an exported app (NotebookApp, which converts it)
/// compile this same file, so both read parameters alike.
/// </summary>
internal static class ParameterText
{
    /// <summary>A value read from the command line: inferred type ("int", "double", "bool", "string"), value, C# literal.</summary>
    public readonly record struct Literal(string Type, object Value, string CSharp);

    /// <summary>Splits "name=value"; null and an error message naming the fix when it is not such a pair.</summary>
    public static (string Name, string Raw)? Split(string pair, out string? error)
    {
        int eq = pair.IndexOf('=');
        if (eq <= 0) { error = $"-p '{pair}': write parameters as -p name=value (for example -p epochs=3)."; return null; }
        var name = pair[..eq].Trim();
        if (!IsIdentifier(name)) { error = $"-p '{pair}': '{name}' is not a C# variable name."; return null; }
        error = null;
        return (name, pair[(eq + 1)..]);
    }

    static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>Reads <paramref name="raw"/>; <paramref name="declaredBaseType"/> (the declared type without '?', or
    /// null for var) keeps a string a string.</summary>
    public static Literal Read(string raw, string? declaredBaseType)
    {
        bool quoted = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"';
        if (quoted) raw = raw[1..^1];
        bool asString = quoted || declaredBaseType is "string" or "String";
        if (!asString && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            return new("int", i, i.ToString(CultureInfo.InvariantCulture));
        if (!asString && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return new("double", d, d.ToString("R", CultureInfo.InvariantCulture) + (raw.Contains('.') || raw.Contains('e') || raw.Contains('E') ? "" : ".0"));
        if (!asString && raw is "true" or "false" or "True" or "False")
            return new("bool", raw.Equals("true", StringComparison.OrdinalIgnoreCase), raw.ToLowerInvariant());
        return new("string", raw, Quote(raw));
    }

    /// <summary>Whether a value read as <paramref name="inferred"/> fits a parameter declared as <paramref name="declared"/>.</summary>
    public static bool Compatible(string declared, string inferred) => declared switch
    {
        "int" or "Int32" or "long" or "Int64" or "short" or "byte" => inferred == "int",
        "double" or "Double" or "float" or "Single" or "decimal" or "Decimal" => inferred is "int" or "double",
        "bool" or "Boolean" => inferred == "bool",
        "string" or "String" => inferred == "string",
        _ => true, // other types: let the compiler judge the literal
    };

    public static string Mismatch(string notebook, string name, string raw, string declaredType, string baseType) =>
        $"{notebook}: -p {name}={raw}: the parameters cell declares '{declaredType} {name}', and '{raw}' is not a {baseType} value.";

    public static string Unknown(string notebook, string name, IEnumerable<string> declared)
    {
        var names = declared.ToList();
        return $"{notebook}: -p {name}=...: the parameters cell does not declare '{name}'. It declares: " +
            $"{(names.Count == 0 ? "nothing" : string.Join(", ", names))}.";
    }

    /// <summary>A C# string literal (as Roslyn's SymbolDisplay.FormatLiteral writes it for the runner's purposes).</summary>
    static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
            sb.Append(c switch
            {
                '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\0' => "\\0",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }
}
