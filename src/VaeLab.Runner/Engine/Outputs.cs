namespace VaeLab.Runner.Engine;

/// <summary>One formatted value: MIME type → content, in preference order (richest first).</summary>
public sealed class MimeBundle
{
    public MimeBundle(IReadOnlyList<KeyValuePair<string, string>> items) => Items = items;

    public IReadOnlyList<KeyValuePair<string, string>> Items { get; }

    public string? this[string mime] => Items.FirstOrDefault(kv => kv.Key == mime).Value;

    public static MimeBundle Plain(string text) => new([new("text/plain", text)]);
}

/// <summary>An output of a cell, as Jupyter knows them.</summary>
public abstract class CellOutput { }

/// <summary>Console text (stdout or stderr); consecutive writes to the same stream are merged.</summary>
public sealed class StreamOutput(string name) : CellOutput
{
    public string Name { get; } = name;
    public System.Text.StringBuilder Text { get; } = new();
}

/// <summary>A displayed value; <see cref="Data"/> is replaced when its handle is updated.</summary>
public sealed class DisplayOutput(string displayId, MimeBundle data) : CellOutput
{
    public string DisplayId { get; } = displayId;
    public MimeBundle Data { get; internal set; } = data;
}

/// <summary>A failure, with Jupyter's ename/evalue/traceback.</summary>
public sealed class ErrorOutput(string ename, string evalue, IReadOnlyList<string> traceback) : CellOutput
{
    public string EName { get; } = ename;
    public string EValue { get; } = evalue;
    public IReadOnlyList<string> Traceback { get; } = traceback;
}

/// <summary>Where a <see cref="KernelSession"/> sends what a cell produces.</summary>
public interface ICellOutputSink
{
    /// <summary>Text written to Console.Out ("stdout") or Console.Error ("stderr").</summary>
    void Stream(string name, string text);
    /// <summary>A new display.</summary>
    void Display(DisplayOutput output);
    /// <summary>An existing display (possibly of an earlier cell) has new <see cref="DisplayOutput.Data"/>.</summary>
    void UpdateDisplay(DisplayOutput output);
    /// <summary>The cell's trailing expression (Jupyter's execute_result); written as a display, as Polyglot Notebooks saves it.</summary>
    void Result(DisplayOutput output) => Display(output);
}

/// <summary>How a cell ended: success, or an error (already in Jupyter's shape).</summary>
public sealed record CellResult(ErrorOutput? Error)
{
    public bool Succeeded => Error == null;
    public static readonly CellResult Ok = new((ErrorOutput?)null);
    public static CellResult Fail(string ename, string evalue, IEnumerable<string>? traceback = null) =>
        new(new ErrorOutput(ename, evalue, (traceback ?? [$"{ename}: {evalue}"]).ToArray()));
}
