using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Host.Mef;
using Microsoft.CodeAnalysis.Text;
using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Kernel;

/// <summary>
/// is_complete, complete and inspect for the kernel, from Roslyn's own completion service (Microsoft.CodeAnalysis.
/// CSharp.Features) over one script document: the using directives of the cells run so far, then their code, then
/// the cell being edited. So earlier variables, their members, types of the hosted libraries and keywords complete.
/// </summary>
public sealed class KernelCompletion
{
    const int MaxMatches = 400;

    static readonly Lazy<MefHostServices> Host = new(() => MefHostServices.Create(MefHostServices.DefaultAssemblies
        .Concat([typeof(CompletionService).Assembly, System.Reflection.Assembly.Load("Microsoft.CodeAnalysis.CSharp.Features")])
        .Distinct()));

    static readonly CSharpParseOptions ScriptParse = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    /// <summary>is_complete_reply: "complete", "incomplete" (open braces, unfinished statement) or "invalid".</summary>
    public static JsonObject IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(WithoutMagics(code), ScriptParse);
        if (!SyntaxFactory.IsCompleteSubmission(tree))
            return new JsonObject { ["status"] = "incomplete", ["indent"] = "" };
        bool errors = tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        return new JsonObject { ["status"] = errors ? "invalid" : "complete" };
    }

    /// <summary>complete_reply for the cursor (a position in Unicode code points, as the protocol counts).</summary>
    public JsonObject Complete(ScriptSession session, string code, int cursorPos)
    {
        var (document, offset) = Document(session, code);
        int cursor = ToUtf16(code, cursorPos);
        var service = CompletionService.GetService(document)!;
        var list = service.GetCompletionsAsync(document, offset + cursor).GetAwaiter().GetResult();
        int start = cursor, end = cursor;
        var matches = new JsonArray();
        var types = new JsonArray();
        if (list != null && list.ItemsList.Count > 0)
        {
            start = Math.Clamp(list.Span.Start - offset, 0, cursor);
            end = Math.Clamp(list.Span.End - offset, cursor, code.Length);
            var typed = code[start..cursor];
            var items = list.ItemsList
                .Where(i => i.FilterText.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(i => i.FilterText.StartsWith(typed, StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(i => i.SortText, StringComparer.OrdinalIgnoreCase)
                .Take(MaxMatches);
            int startCp = ToCodePoints(code, start), endCp = ToCodePoints(code, end);
            foreach (var item in items)
            {
                var text = item.DisplayTextPrefix + item.DisplayText + item.DisplayTextSuffix;
                // Generic and method items carry decorations ("List<>"); insert the name.
                var insert = item.Properties.TryGetValue("InsertionText", out var ins) ? ins : item.DisplayText;
                matches.Add(insert);
                types.Add(new JsonObject { ["start"] = startCp, ["end"] = endCp, ["text"] = insert, ["type"] = Kind(item), ["signature"] = text == insert ? "" : text });
            }
        }
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = matches,
            ["cursor_start"] = ToCodePoints(code, start),
            ["cursor_end"] = ToCodePoints(code, end),
            ["metadata"] = new JsonObject { ["_jupyter_types_experimental"] = types },
        };
    }

    /// <summary>inspect_reply: the symbol under the cursor with its signature and documentation summary, or found=false.</summary>
    public JsonObject Inspect(ScriptSession session, string code, int cursorPos)
    {
        var (document, offset) = Document(session, code);
        int cursor = ToUtf16(code, cursorPos);
        var model = document.GetSemanticModelAsync().GetAwaiter().GetResult()!;
        ISymbol? symbol = null;
        foreach (var p in new[] { cursor, cursor - 1 }.Where(p => p >= 0))
        {
            symbol = SymbolFinder.FindSymbolAtPositionAsync(model, offset + p, document.Project.Solution.Workspace).GetAwaiter().GetResult();
            if (symbol != null) break;
        }
        if (symbol == null) return new JsonObject { ["status"] = "ok", ["found"] = false, ["data"] = new JsonObject(), ["metadata"] = new JsonObject() };
        var text = new StringBuilder(symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat));
        var doc = symbol.GetDocumentationCommentXml();
        if (!string.IsNullOrWhiteSpace(doc))
        {
            try
            {
                var summary = System.Xml.Linq.XElement.Parse(doc).Element("summary")?.Value;
                if (!string.IsNullOrWhiteSpace(summary)) text.Append("\n\n").Append(string.Join(" ", summary.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            }
            catch (System.Xml.XmlException) { }
        }
        return new JsonObject
        {
            ["status"] = "ok", ["found"] = true, ["data"] = new JsonObject { ["text/plain"] = text.ToString() }, ["metadata"] = new JsonObject(),
        };
    }

    /// <summary>
    /// One script document: using directives of the earlier cells (a using after statements would not bind), their
    /// remaining code, then the current cell verbatim; returns where the current cell starts.
    /// </summary>
    static (Document Document, int Offset) Document(ScriptSession session, string code)
    {
        var scripts = new List<Microsoft.CodeAnalysis.Scripting.Script>();
        for (var s = session.LastScript; s != null; s = s.Previous) scripts.Add(s);
        scripts.Reverse();
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (var s in scripts)
        {
            var root = CSharpSyntaxTree.ParseText(s.Code, ScriptParse).GetCompilationUnitRoot();
            foreach (var u in root.Usings) usings.AppendLine(u.ToString());
            body.AppendLine(root.RemoveNodes(root.Usings, SyntaxRemoveOptions.KeepNoTrivia)!.ToFullString());
        }
        // The current cell's usings are copied to the top too (left in place, they keep the cursor's offsets).
        var current = WithoutMagics(code);
        var currentRoot = CSharpSyntaxTree.ParseText(current, ScriptParse).GetCompilationUnitRoot();
        foreach (var u in currentRoot.Usings) usings.AppendLine(u.ToString());
        var prefix = usings.ToString() + body;
        var references = session.LastScript?.Options.MetadataReferences ?? DefaultReferences.Value;
        var workspace = new AdhocWorkspace(Host.Value);
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "cells", "cells", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: ScriptSession.DefaultImports, allowUnsafe: true),
            parseOptions: ScriptParse, metadataReferences: references, isSubmission: true, hostObjectType: typeof(ScriptGlobals)));
        var document = workspace.AddDocument(DocumentInfo.Create(DocumentId.CreateNewId(project.Id), "cell.csx", sourceCodeKind: SourceCodeKind.Script,
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(prefix + current), VersionStamp.Create()))));
        return (document, prefix.Length);
    }

    static readonly Lazy<ImmutableArray<MetadataReference>> DefaultReferences = new(() =>
    {
        using var s = new ScriptSession();
        s.ExecuteAsync("0;", new NullSink()).GetAwaiter().GetResult();
        return s.LastScript!.Options.MetadataReferences;
    });

    sealed class NullSink : ICellOutputSink
    {
        public void Stream(string name, string text) { }
        public void Display(DisplayOutput output) { }
        public void UpdateDisplay(DisplayOutput output) { }
    }

    /// <summary>#!csharp lines are not C#; #r lines are (Roslyn script syntax).</summary>
    static string WithoutMagics(string code) =>
        string.Join("\n", code.Split('\n').Select(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal) ? new string(' ', l.Length) : l));

    static string Kind(CompletionItem item)
    {
        var tag = item.Tags.FirstOrDefault() ?? "";
        return tag switch
        {
            "Method" or "ExtensionMethod" => "method",
            "Property" => "property",
            "Field" or "Constant" or "EnumMember" => "field",
            "Local" or "Parameter" or "RangeVariable" => "variable",
            "Class" or "Structure" or "Interface" or "Enum" or "Delegate" or "Record" or "RecordStruct" or "TypeParameter" => "class",
            "Namespace" => "module",
            "Keyword" => "keyword",
            "Event" => "event",
            _ => tag.ToLowerInvariant(),
        };
    }

    /// <summary>Code-point offset (the protocol's unit) → UTF-16 index.</summary>
    static int ToUtf16(string s, int codePoints)
    {
        int i = 0;
        for (int n = 0; n < codePoints && i < s.Length; n++) i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? 2 : 1;
        return i;
    }

    static int ToCodePoints(string s, int utf16)
    {
        int n = 0;
        for (int i = 0; i < utf16 && i < s.Length; n++) i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? 2 : 1;
        return n;
    }
}
