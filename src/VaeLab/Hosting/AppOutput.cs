namespace VaeLab.Hosting;

/// <summary>One output of a cell on an exported app's page: an HTML fragment (replaced when its display updates),
/// or console text of one stream, merged while consecutive writes go to the same stream.</summary>
internal sealed class AppOutput(string? stream)
{
    public string? Stream { get; } = stream;
    public string Html { get; set; } = "";
    public System.Text.StringBuilder Text { get; } = new();
}
