using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Export;

/// <summary>
/// Writes a notebook as one C# file-based app (.NET 10: <c>dotnet run app.cs</c>). Each code cell is parsed as the
/// kernel parses it (Roslyn, script kind) and rewritten into top-level statements:
/// <list type="bullet">
/// <item><c>#r "nuget: Name, Version"</c> → a <c>#:package Name@Version</c> line at the top;</item>
/// <item><c>using</c> directives → hoisted to the top (a file-based app allows them only before statements);</item>
/// <item>a cell's last expression without a semicolon (which the kernel displays) → <c>NotebookApp.Result(...)</c>;</item>
/// <item>the parameters cell's variables → <c>NotebookApp.Parameter("name", default)</c>, overridable with -p;</item>
/// <item>type declarations → after the statements, where C# requires them; methods stay as local functions;</item>
/// <item>markdown and raw cells → comments.</item>
/// </list>
/// What a kernel gives a notebook (display, parameters, Ctrl+C, the page, exit codes) is VaeLab's
/// <c>VaeLab.Hosting.NotebookApp</c>, which the file starts with one call to. Every problem is a
/// <see cref="BadInputException"/> before anything is written.
/// </summary>
public static partial class NotebookExporter
{
    public const string CellMarker = "// ==== cell {0} ({1}) ====";
    public const string EndMarker = "// ==== end of the notebook's cells ====";

    [GeneratedRegex(@"^\s*nuget\s*:\s*([^,\s]+)\s*(?:,\s*(\S+))?\s*$")]
    private static partial Regex NugetReference();

    static readonly CSharpParseOptions ScriptOptions = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>The app's source for the notebook at <paramref name="path"/>.</summary>
    public static string Export(string path)
    {
        var doc = NotebookDocument.Load(path);
        var name = System.IO.Path.GetFileName(doc.Path);
        var cells = doc.Cells.Where(c => !c.Tags.Contains("injected-parameters")).ToList();
        var parametersCell = doc.ParametersCell
            ?? throw new BadInputException($"{path}: has no cell tagged 'parameters', so its settings could not be given on the command line. Tag the cell " +
                $"with the defaults 'parameters' (VS Code: cell '...' menu → Add Cell Tag) and export again.");

        var packages = new List<(string Name, string Version)>();
        var usings = new List<string>();
        var types = new List<string>();
        var body = new StringBuilder();
        var declared = new Dictionary<string, int>(StringComparer.Ordinal);  // top-level name → cell that declared it
        string[] parameters = [];
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            int number = i + 1;
            body.AppendLine();
            body.AppendLine(string.Format(CellMarker, number, cell.CellType));
            if (cell.CellType != "code")
            {
                foreach (var line in cell.Source.Split('\n')) body.AppendLine(line.TrimEnd('\r').Length == 0 ? "//" : "// " + line.TrimEnd('\r'));
                continue;
            }
            if (cell.KernelName is not (null or "csharp" or "c#" or "C#"))
                throw new BadInputException($"{path}: cell {number} is a '{cell.KernelName}' cell; an exported app is C# only. Rewrite the cell in C#.");
            var code = ExportCell(path, number, cell.Source, cell == parametersCell, packages, usings, types, declared, out var cellParameters);
            if (cell == parametersCell) parameters = cellParameters;
            body.AppendLine($"NotebookApp.Cell({number});");
            body.AppendLine(code.TrimEnd());
        }
        if (!packages.Any(p => p.Name.Equals("VaeLab", StringComparison.OrdinalIgnoreCase)))
            throw new BadInputException($"{path}: no cell references VaeLab (#r \"nuget: VaeLab, 0.1.0\"). An exported app runs on VaeLab's " +
                $"NotebookApp host; " +
                $"add the reference to the setup cell.");

        var app = System.IO.Path.GetFileNameWithoutExtension(doc.Path) + ".cs";
        var sb = new StringBuilder();
        foreach (var (package, version) in packages) sb.AppendLine($"#:package {package}@{version}");
        // The notebooks' code is written for the kernel's defaults: `T?` allowed, no nullable warnings; the versions are the
        // #:package lines' own, also inside a repository that manages versions centrally (this one does).
        sb.AppendLine("#:property Nullable=annotations");
        sb.AppendLine("#:property ManagePackageVersionsCentrally=false");
        sb.AppendLine("#:property PublishAot=false");
        // This machine's platform only: TorchSharp's backend carries libtorch for linux-x64, win-x64 and osx-arm64, and a
        // build without a runtime identifier copies all three (1 GB per app, measured) into the build output.
        sb.AppendLine("#:property RuntimeIdentifier=$(NETCoreSdkPortableRuntimeIdentifier)");
        sb.AppendLine($"// {name} as a C# file-based app, written by `vaelab export`. Generated: edit the notebook and export again.");
        sb.AppendLine($"// Run: dotnet run {app} -- -p profile=smoke   (parameters: {string.Join(", ", parameters.Select(p => p.Split(':')[0]))})");
        sb.AppendLine($"// It writes {System.IO.Path.ChangeExtension(app, ".html")} next to this file; exit codes as `vaelab run` (0, 1 a cell failed, 2 bad " +
            $"input, 130 Ctrl+C).");
        sb.AppendLine($"// Its build output (with this platform's libtorch, about 0.5 GB) is kept for the next run; `dotnet clean {app}` frees it.");
        sb.AppendLine();
        // The kernel extension imports these when the VaeLab package loads; an app has no extension, so it says them here.
        foreach (var u in RunContract.NotebookUsings.Concat(usings).Distinct()) sb.AppendLine(u);
        if (!usings.Contains("using VaeLab.Hosting;")) sb.AppendLine("using VaeLab.Hosting;");
        sb.AppendLine("using static VaeLab.Hosting.NotebookApp;  // display(x), as in the kernel");
        sb.AppendLine();
        sb.AppendLine($"NotebookApp.Start(args, {SymbolDisplay.FormatLiteral(name, true)}, " +
            $"[{string.Join(", ", parameters.Select(p => SymbolDisplay.FormatLiteral(p, true)))}]);");
        sb.Append(body);
        sb.AppendLine();
        sb.AppendLine(EndMarker);
        sb.AppendLine("return NotebookApp.Finish();");
        if (types.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("// Types declared in the cells: C# places them after the top-level statements.");
            foreach (var t in types) sb.AppendLine(t.Trim()).AppendLine();
        }
        return sb.ToString();
    }

    static string ExportCell(string path, int number, string source, bool isParameters, List<(string, string)> packages, List<string> usings,
        List<string> types, Dictionary<string, int> declared, out string[] parameters)
    {
        parameters = [];
        var where = $"{path}: cell {number}";
        foreach (var line in source.Split('\n'))
        {
            var t = line.TrimStart();
            if (t.StartsWith("#!", StringComparison.Ordinal) || t.StartsWith("#i ", StringComparison.Ordinal) || t.StartsWith("#i\"", StringComparison.Ordinal))
                throw new BadInputException($"{where}: '{t.Trim()}' is a .NET Interactive command; a C# app has no such thing. Remove it from the notebook, " +
                    $"or do what it does in C#.");
        }
        var tree = CSharpSyntaxTree.ParseText(source, ScriptOptions);
        var root = tree.GetCompilationUnitRoot();
        var errors = root.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new BadInputException($"{where}: does not parse as C#: {errors[0].GetMessage()} (line " +
                $"{errors[0].Location.GetLineSpan().StartLinePosition.Line + 1}). Fix the cell in the notebook.");

        var edits = new List<(TextSpan Span, string Text)>();
        foreach (var r in root.GetReferenceDirectives())
        {
            var m = NugetReference().Match(r.File.ValueText);
            if (!m.Success)
                throw new BadInputException($"{where}: '#r {r.File.Text}' references a file; an exported app takes packages only (#r \"nuget: Name, " +
                    $"Version\").");
            if (!m.Groups[2].Success)
                throw new BadInputException($"{where}: '#r {r.File.Text}' has no version; pin one (#r \"nuget: {m.Groups[1].Value}, 1.2.3\") so that the app " +
                    $"gets the package the notebook ran with.");
            if (!packages.Contains((m.Groups[1].Value, m.Groups[2].Value))) packages.Add((m.Groups[1].Value, m.Groups[2].Value));
            var directive = source.Substring(r.Span.Start, r.Span.Length);
            edits.Add((r.Span, $"// #r {r.File.Text}: a #:package line at the top of this file" + (directive.EndsWith('\n') ? "\n" : "")));
        }
        if (root.Usings.Count > 0)
        {
            usings.AddRange(root.Usings.Select(u => u.WithoutTrivia().ToString()));
            edits.Add((TextSpan.FromBounds(root.Usings[0].SpanStart, root.Usings[^1].Span.End),
                "// (this cell's using directives are at the top of the file)"));
        }
        foreach (var a in root.AttributeLists) throw new BadInputException($"{where}: has an assembly attribute ({a}); an exported app cannot place it. " +
            $"Remove it from the notebook.");

        var members = root.Members;
        for (int k = 0; k < members.Count; k++)
        {
            var member = members[k];
            switch (member)
            {
                case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                    types.Add(member.ToFullString());
                    edits.Add((member.FullSpan, $"// (type {Identifier(member)} is declared at the end of the file)\n"));
                    break;
                case MethodDeclarationSyntax method:  // a top-level method of a script is a local function of the app
                    if (method.Modifiers.FirstOrDefault(IsAccessModifier) is { Span.Length: > 0 } access)
                        edits.Add((access.Span, ""));
                    Declare(where, method.Identifier.Text, number, declared);
                    break;
                case FieldDeclarationSyntax field:
                    foreach (var v in field.Declaration.Variables) Declare(where, v.Identifier.Text, number, declared);
                    if (isParameters) edits.AddRange(ParameterEdits(field.Declaration, ref parameters));
                    break;
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    foreach (var v in local.Declaration.Variables) Declare(where, v.Identifier.Text, number, declared);
                    if (isParameters) edits.AddRange(ParameterEdits(local.Declaration, ref parameters));
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax f }:
                    Declare(where, f.Identifier.Text, number, declared);
                    break;
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax e } when k == members.Count - 1 && e.SemicolonToken.IsMissing:
                    edits.Add((e.Span, Result(e.Expression)));
                    foreach (var d in e.DescendantNodes().OfType<SingleVariableDesignationSyntax>()) Declare(where, d.Identifier.Text, number, declared);
                    break;
                case GlobalStatementSyntax g:
                    // Variables a statement adds to the top-level scope: deconstructions and out vars outside blocks.
                    foreach (var d in g.Statement.DescendantNodes(n => n is not (BlockSyntax or LambdaExpressionSyntax or AnonymousMethodExpressionSyntax))
                                 .OfType<SingleVariableDesignationSyntax>()
                                 .Where(d => g.Statement is ExpressionStatementSyntax))
                        Declare(where, d.Identifier.Text, number, declared);
                    break;
                default:
                    throw new BadInputException($"{where}: declares a {member.Kind()} at the top level, which has no place in a C# app's top-level " +
                        $"statements. Make it a variable or a local function in the notebook.");
            }
        }
        var text = source;
        foreach (var (span, replacement) in edits.OrderByDescending(e => e.Span.Start))
            text = text[..span.Start] + replacement + text[span.End..];
        return text;
    }

    /// <summary>A cell's last expression, displayed as the kernel does: a call may return nothing, so it goes through a
    /// lambda whose overloads let C# decide (ResultOf); any other expression is shown directly.</summary>
    static bool IsAccessModifier(SyntaxToken m) =>
        m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.InternalKeyword or SyntaxKind.ProtectedKeyword;

    static string Result(ExpressionSyntax e)
    {
        bool call = e is InvocationExpressionSyntax || e is ConditionalAccessExpressionSyntax { WhenNotNull: InvocationExpressionSyntax };
        bool awaits = e.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or AnonymousMethodExpressionSyntax)).OfType<AwaitExpressionSyntax>().Any();
        return call && !awaits ? $"NotebookApp.ResultOf(() => {e});" : $"NotebookApp.Result({e});";
    }

    /// <summary>`T name = default;` → `T name = NotebookApp.Parameter&lt;T&gt;("name", default);`, and "name:type" for Start.</summary>
    static IEnumerable<(TextSpan, string)> ParameterEdits(VariableDeclarationSyntax declaration, ref string[] parameters)
    {
        var edits = new List<(TextSpan, string)>();
        var list = parameters.ToList();
        foreach (var v in declaration.Variables)
        {
            if (v.Initializer is not { } init) continue;
            var type = declaration.Type.IsVar ? LiteralType(init.Value) : declaration.Type.ToString();
            list.Add($"{v.Identifier.Text}:{type ?? ""}");
            var generic = declaration.Type.IsVar ? "" : $"<{declaration.Type}>";
            edits.Add((init.Value.Span, $"NotebookApp.Parameter{generic}({SymbolDisplay.FormatLiteral(v.Identifier.Text, true)}, {init.Value})"));
        }
        parameters = list.ToArray();
        return edits;
    }

    /// <summary>The type C# gives a literal default (for `var`), or null when it is not a literal.</summary>
    static string? LiteralType(ExpressionSyntax value) => value switch
    {
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } => "string",
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression or (int)SyntaxKind.FalseLiteralExpression } => "bool",
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression, Token.Value: var v }
            => v switch { int => "int", double => "double", float => "float", decimal => "decimal", long => "long", _ => null },
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: var o } => LiteralType(o),
        _ => null,
    };

    static void Declare(string where, string name, int cell, Dictionary<string, int> declared)
    {
        if (declared.TryGetValue(name, out var first) && first != cell)
            throw new BadInputException($"{where}: declares '{name}' again (cell {first} declared it first). The kernel lets a later cell redeclare a " +
                $"variable, but a C# app has one scope: rename one of them, or assign instead of declaring.");
        declared[name] = cell;
    }

    static string Identifier(MemberDeclarationSyntax m) => m switch
    {
        BaseTypeDeclarationSyntax t => t.Identifier.Text,
        DelegateDeclarationSyntax d => d.Identifier.Text,
        _ => m.Kind().ToString(),
    };

    /// <summary>Writes the app for each notebook into <paramref name="outDir"/> as &lt;notebook name&gt;.cs. Every notebook
    /// is exported in memory first, so a bad one means nothing is written.</summary>
    public static IReadOnlyList<string> ExportAll(IReadOnlyList<string> notebooks, string outDir)
    {
        var apps = notebooks.Distinct().Select(p => (Path: p, Source: Export(p))).ToList();
        var names = apps.GroupBy(a => System.IO.Path.GetFileNameWithoutExtension(a.Path), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (names != null)
            throw new BadInputException($"two notebooks are named {names.Key} ({string.Join(", ", names.Select(a => a.Path))}); their apps would overwrite " +
                $"each other. Export them to different --out folders.");
        var written = new List<string>();
        foreach (var (path, source) in apps)
        {
            var file = System.IO.Path.Combine(System.IO.Path.GetFullPath(outDir), System.IO.Path.GetFileNameWithoutExtension(path) + ".cs");
            AtomicFile.WriteAllText(file, source);
            written.Add(file);
        }
        return written;
    }
}
