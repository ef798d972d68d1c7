using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace VaeLab.Runner.Notebooks;

/// <summary>A parameter given on the command line (<c>-p name=value</c>).</summary>
public sealed record ParameterValue(string Name, string Raw)
{
    /// <summary>Parses "name=value"; a bad pair is a <see cref="BadInputException"/>.</summary>
    public static ParameterValue Parse(string pair)
    {
        int eq = pair.IndexOf('=');
        if (eq <= 0)
            throw new BadInputException($"-p '{pair}': write parameters as -p name=value (for example -p epochs=3).");
        var name = pair[..eq].Trim();
        if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
            throw new BadInputException($"-p '{pair}': '{name}' is not a C# variable name.");
        return new ParameterValue(name, pair[(eq + 1)..]);
    }
}

/// <summary>A variable the parameters cell declares, with its explicit type (null for var).</summary>
public sealed record DeclaredParameter(string Name, string? Type);

/// <summary>
/// Papermill's convention for C#: the first cell tagged "parameters" declares the defaults; values given with -p go
/// into a cell tagged "injected-parameters" right after it, as <c>var name = literal;</c> (type from the literal) or
/// <c>T name = literal;</c> when the parameters cell declares the name with an explicit type T.
/// </summary>
public static class Parameters
{
    /// <summary>Top-level variables declared by a parameters cell, read with Roslyn.</summary>
    public static IReadOnlyDictionary<string, DeclaredParameter> Declared(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest)).GetCompilationUnitRoot();
        var result = new Dictionary<string, DeclaredParameter>(StringComparer.Ordinal);
        foreach (var member in root.Members)
        {
            VariableDeclarationSyntax? declaration = member switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            };
            if (declaration == null) continue;
            var type = declaration.Type.IsVar ? null : declaration.Type.ToString();
            foreach (var v in declaration.Variables) result[v.Identifier.Text] = new DeclaredParameter(v.Identifier.Text, type);
        }
        return result;
    }

    /// <summary>The C# declaration for one value, and the value as JSON (for metadata and summary.json).</summary>
    public static (string Code, JsonNode? Json) Declaration(ParameterValue p, DeclaredParameter declared, string notebook)
    {
        var raw = p.Raw;
        var baseType = declared.Type?.TrimEnd('?').Trim();
        bool quoted = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"';
        if (quoted) raw = raw[1..^1];
        string literal; JsonNode? json;
        string inferred;
        if (!quoted && baseType is not ("string" or "String") && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            (literal, json, inferred) = (i.ToString(CultureInfo.InvariantCulture), JsonValue.Create(i), "int");
        else if (!quoted && baseType is not ("string" or "String") && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            (literal, json, inferred) = (d.ToString("R", CultureInfo.InvariantCulture) + (raw.Contains('.') || raw.Contains('e') || raw.Contains('E') ? "" : ".0"), JsonValue.Create(d), "double");
        else if (!quoted && baseType is not ("string" or "String") && raw is "true" or "false" or "True" or "False")
            (literal, json, inferred) = (raw.ToLowerInvariant(), JsonValue.Create(raw.Equals("true", StringComparison.OrdinalIgnoreCase)), "bool");
        else
            (literal, json, inferred) = (SymbolDisplay.FormatLiteral(raw, quote: true), JsonValue.Create(raw), "string");

        if (baseType != null && !Compatible(baseType, inferred))
            throw new BadInputException($"{notebook}: -p {p.Name}={p.Raw}: the parameters cell declares '{declared.Type} {p.Name}', and '{p.Raw}' is not a {baseType} value.");
        if (inferred == "double" && baseType is "float" or "Single") literal += "f";
        if (inferred == "double" && baseType is "decimal" or "Decimal") literal += "m";
        return ($"{declared.Type ?? "var"} {p.Name} = {literal};", json);
    }

    static bool Compatible(string declared, string inferred) => declared switch
    {
        "int" or "Int32" or "long" or "Int64" or "short" or "byte" => inferred == "int",
        "double" or "Double" or "float" or "Single" or "decimal" or "Decimal" => inferred is "int" or "double",
        "bool" or "Boolean" => inferred == "bool",
        "string" or "String" => inferred == "string",
        _ => true, // other types: let the compiler judge the literal
    };
}
