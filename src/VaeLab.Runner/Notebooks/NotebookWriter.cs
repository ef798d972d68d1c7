using System.Text.Json;
using System.Text.Json.Nodes;
using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Notebooks;

/// <summary>
/// Writes an executed notebook in the shape VS Code Polyglot Notebooks saves (nbformat 4.5, kernelspec .net-csharp,
/// polyglot_notebook metadata, ids on every cell, display_data/stream/error outputs) plus execution times per cell
/// (nbclient's metadata.execution). Outputs are kept as the kernel formatted them (the first chart carries plotly.js).
/// </summary>
public static class NotebookWriter
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(NotebookResult result) => Build(result).ToJsonString(Indented) + "\n";

    public static JsonObject Build(NotebookResult result)
    {
        var metadata = (JsonObject)result.Notebook.Document.Metadata.DeepClone();
        metadata["kernelspec"] ??= new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        metadata["language_info"] ??= new JsonObject { ["name"] = "polyglot-notebook" };
        metadata["polyglot_notebook"] ??= new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        };
        metadata["vaelab"] = new JsonObject
        {
            ["runner"] = typeof(NotebookWriter).Assembly.GetName().Version?.ToString(),
            ["profile"] = result.Profile,
            ["parameters"] = result.Notebook.Parameters.DeepClone(),
            ["status"] = Summary.StatusName(result.Status),
            ["start_time"] = result.Started.ToString("o"),
            ["duration_s"] = Math.Round(result.Duration.TotalSeconds, 3),
            ["peak_rss_bytes"] = result.PeakResidentBytes,
        };

        var cells = new JsonArray();
        foreach (var cell in result.Cells)
        {
            var c = cell.Cell;
            var cellMetadata = (JsonObject)c.Metadata.DeepClone();
            if (c.CellType != "code")
            {
                var o = new JsonObject { ["cell_type"] = c.CellType, ["id"] = c.Id, ["metadata"] = cellMetadata, ["source"] = Lines(c.Source) };
                if (c.Attachments != null) o["attachments"] = c.Attachments.DeepClone();
                cells.Add(o);
                continue;
            }
            if (cellMetadata["polyglot_notebook"] is not JsonObject) cellMetadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = c.KernelName
                ?? "csharp" };
            if (cell.Start is { } start && cell.End is { } end)
                cellMetadata["execution"] = new JsonObject
                {
                    ["iopub.status.busy"] = start.ToString("o"),
                    ["iopub.execute_input"] = start.ToString("o"),
                    ["shell.execute_reply"] = end.ToString("o"),
                    ["iopub.status.idle"] = end.ToString("o"),
                };
            else cellMetadata.Remove("execution");
            var outputs = new JsonArray();
            foreach (var output in cell.Outputs) outputs.Add(Output(output));
            cells.Add(new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = cell.ExecutionCount,
                ["id"] = c.Id,
                ["metadata"] = cellMetadata,
                ["outputs"] = outputs,
                ["source"] = Lines(c.Source),
            });
        }
        return new JsonObject { ["cells"] = cells, ["metadata"] = metadata, ["nbformat"] = 4, ["nbformat_minor"] = 5 };
    }

    static JsonObject Output(CellOutput output)
    {
        switch (output)
        {
            case StreamOutput s:
                return new JsonObject { ["name"] = s.Name, ["output_type"] = "stream", ["text"] = Lines(s.Text.ToString()) };
            case ErrorOutput e:
                return new JsonObject
                {
                    ["ename"] = e.EName, ["evalue"] = e.EValue, ["output_type"] = "error",
                    ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                };
            case DisplayOutput d:
                var data = new JsonObject();
                foreach (var (mime, content) in d.Data.Items) data[mime] = Lines(content);
                return new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };
            default:
                throw new ArgumentException($"Unknown output {output.GetType().Name}.");
        }
    }

    /// <summary>nbformat's multiline string: a list of lines, each but the last ending in "\n".</summary>
    static JsonArray Lines(string text)
    {
        var a = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int end = nl < 0 ? text.Length : nl + 1;
            a.Add(text[start..end]);
            start = end;
        }
        return a;
    }
}
