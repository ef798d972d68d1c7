using System.Text.RegularExpressions;
using VaeLab.Reporting.Pages;

namespace VaeLab.Hosting;

/// <summary>
/// The cells of an exported app, read back from its own .cs file for the page: `vaelab export` writes each cell after
/// a marker line <c>// ==== cell N (kind) ====</c>, markdown as <c>// </c> comments. Reading the file keeps one copy
/// of every cell's text (no second copy embedded in strings).
/// </summary>
internal static partial class AppSource
{
    public const string MarkerPrefix = "// ==== ";

    [GeneratedRegex(@"^// ==== cell (\d+) \((markdown|code|raw)\) ====\s*$")]
    private static partial Regex CellMarker();

    [GeneratedRegex(@"^\s*NotebookApp\.Cell\(\d+\);\s*$")]
    private static partial Regex CellCall();

    /// <summary>Cell number → (kind, text); empty when the file cannot be read (moved or deleted after the build).</summary>
    public static SortedDictionary<int, (string Kind, string Text)> Read(string? path)
    {
        var cells = new SortedDictionary<int, (string Kind, string Text)>();
        if (path is null || !File.Exists(path)) return cells;
        int? number = null; string kind = ""; var lines = new List<string>();
        void Close()
        {
            if (number is not { } n) return;
            while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
            cells[n] = (kind, string.Join("\n", lines));
        }
        foreach (var line in File.ReadLines(path))
        {
            if (CellMarker().Match(line) is { Success: true } m)
            {
                Close();
                number = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                kind = m.Groups[2].Value; lines = new();
                continue;
            }
            if (line.StartsWith(MarkerPrefix, StringComparison.Ordinal)) { Close(); number = null; continue; }  // the end marker
            if (number is null || CellCall().IsMatch(line)) continue;
            lines.Add(kind == "code" ? line : line.StartsWith("// ", StringComparison.Ordinal) ? line[3..] : line.TrimStart('/'));
        }
        Close();
        return cells;
    }
}
