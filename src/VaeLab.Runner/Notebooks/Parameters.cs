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
        var split = ParameterText.Split(pair, out var error) ?? throw new BadInputException(error!);
        if (SyntaxFacts.GetKeywordKind(split.Name) != SyntaxKind.None)
            throw new BadInputException($"-p '{pair}': '{split.Name}' is not a C# variable name.");
        return new ParameterValue(split.Name, split.Raw);
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
        var root = CSharpSyntaxTree.ParseText(code,
            CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest)).GetCompilationUnitRoot();
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
        var baseType = declared.Type?.TrimEnd('?').Trim();
        var value = ParameterText.Read(p.Raw, baseType);
        JsonNode? json = value.Value switch { int i => JsonValue.Create(i), double d => JsonValue.Create(d), bool b => JsonValue.Create(b),
            _ => JsonValue.Create((string)value.Value) };
        var literal = value.CSharp;
        if (baseType != null && !ParameterText.Compatible(baseType, value.Type))
            throw new BadInputException(ParameterText.Mismatch(notebook, p.Name, p.Raw, declared.Type!, baseType));
        if (value.Type == "double" && baseType is "float" or "Single") literal += "f";
        if (value.Type == "double" && baseType is "decimal" or "Decimal") literal += "m";
        return ($"{declared.Type ?? "var"} {p.Name} = {literal};", json);
    }
}
