using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VaeLab.Runner.Notebooks;

/// <summary>Input the runner refuses before running anything; the message names the file and the fix.</summary>
public sealed class BadInputException(string message) : Exception(message);

/// <summary>One cell of a notebook: its type, id, source, tags and metadata (kept as written).</summary>
public sealed class NotebookCell
{
    public required string CellType { get; init; }
    public required string Id { get; set; }
    public required string Source { get; init; }
    public JsonObject Metadata { get; init; } = new();
    /// <summary>Markdown/raw attachments, kept as they are.</summary>
    public JsonNode? Attachments { get; init; }

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray a ? a.Select(t => t?.GetValue<string>() ?? "").ToArray() : [];

    /// <summary>The kernel the cell is for (Polyglot Notebooks metadata), or null when it does not say.</summary>
    public string? KernelName =>
        (Metadata["polyglot_notebook"]?["kernelName"] ?? Metadata["dotnet_interactive"]?["language"]) is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : null;
}

/// <summary>An nbformat 4 notebook read for running: its cells and metadata, validated up front.</summary>
public sealed partial class NotebookDocument
{
    public required string Path { get; init; }
    public required JsonObject Metadata { get; init; }
    public required List<NotebookCell> Cells { get; init; }

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex ValidCellId();

    /// <summary>Reads and checks a notebook; every problem is a <see cref="BadInputException"/>.</summary>
    public static NotebookDocument Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new BadInputException(Directory.Exists(full)
                ? $"{path}: is a folder, not a notebook. Name the .ipynb files (or use 'vaelab reproduce' for notebooks/)."
                : $"{path}: no such notebook. Check the path (relative paths are taken from {Directory.GetCurrentDirectory()}).");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(full), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: not valid JSON ({e.Message}). An .ipynb file is JSON; open it in VS Code and save it again.");
        }
        if (root is not JsonObject nb)
            throw new BadInputException($"{path}: the JSON is not an object, so it is not a notebook.");
        var format = nb["nbformat"] is JsonValue fv && fv.TryGetValue<int>(out var f) ? f : (int?)null;
        if (format != 4)
            throw new BadInputException($"{path}: nbformat is {(format?.ToString() ?? "missing")}, but vaelab reads nbformat 4 notebooks. Save it with VS " +
                $"Code (Polyglot Notebooks) or convert it with 'jupyter nbconvert --to notebook'.");
        var metadata = nb["metadata"] as JsonObject ?? new JsonObject();
        CheckKernel(path, metadata);
        if (nb["cells"] is not JsonArray cells)
            throw new BadInputException($"{path}: has no \"cells\" list, so it is not an nbformat 4 notebook.");

        var result = new List<NotebookCell>();
        var ids = new HashSet<string>();
        int index = 0;
        foreach (var node in cells)
        {
            index++;
            if (node is not JsonObject c || c["cell_type"] is not JsonValue tv || !tv.TryGetValue<string>(out var type))
                throw new BadInputException($"{path}: cell {index} has no cell_type.");
            if (type is not ("code" or "markdown" or "raw"))
                throw new BadInputException($"{path}: cell {index} has cell_type '{type}'; nbformat 4 knows code, markdown and raw.");
            var id = c["id"] is JsonValue iv && iv.TryGetValue<string>(out var s) && ValidCellId().IsMatch(s) && !ids.Contains(s) ? s : NewId(ids);
            ids.Add(id);
            result.Add(new NotebookCell
            {
                CellType = type,
                Id = id,
                Source = ReadSource(c["source"], path, index),
                Metadata = c["metadata"]?.DeepClone() as JsonObject ?? new JsonObject(),
                Attachments = c["attachments"]?.DeepClone(),
            });
        }
        return new NotebookDocument { Path = full, Metadata = (JsonObject)metadata.DeepClone(), Cells = result };
    }

    static void CheckKernel(string path, JsonObject metadata)
    {
        var name = metadata["kernelspec"]?["name"]?.GetValue<string>();
        var language = metadata["kernelspec"]?["language"]?.GetValue<string>();
        bool csharpSpec = name == null || name.Equals(".net-csharp", StringComparison.OrdinalIgnoreCase);
        bool csharpLanguage = language == null || language is "C#" or "csharp";
        var defaultKernel = metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>();
        if (!csharpSpec || !csharpLanguage || defaultKernel is not (null or "csharp" or "c#" or "C#"))
            throw new BadInputException($"{path}: its kernel is '{name ?? defaultKernel}' ({language ?? "?"}), not C#. vaelab runs .NET (C#) notebooks " +
                $"(kernelspec .net-csharp); pick '.NET (C#)' as the kernel in VS Code and save.");
    }

    static string ReadSource(JsonNode? source, string path, int index) => source switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray a => string.Concat(a.Select(x => x is JsonValue xv && xv.TryGetValue<string>(out var line) ? line
            : throw new BadInputException($"{path}: cell {index} has a source line that is not a string."))),
        _ => throw new BadInputException($"{path}: cell {index} has a source that is neither a string nor a list of strings."),
    };

    internal static string NewId(ISet<string> taken)
    {
        string id;
        do id = Guid.NewGuid().ToString("N")[..12]; while (taken.Contains(id));
        return id;
    }

    /// <summary>The first code cell tagged "parameters" (papermill's convention), or null.</summary>
    public NotebookCell? ParametersCell => Cells.FirstOrDefault(c => c.CellType == "code" && c.Tags.Contains("parameters"));
}
