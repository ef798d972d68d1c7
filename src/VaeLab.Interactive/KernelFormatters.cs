using System.Net;
using System.Reflection;
using Microsoft.DotNet.Interactive.Formatting;
using VaeLab.Plots;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Interactive;

/// <summary>
/// HTML for VaeLab's display types through the kernel's formatter registry (Microsoft.DotNet.Interactive.Formatting),
/// the same HTML the report shows: figures, claims, metric tables, progress bars and experiment configs.
/// </summary>
public static class KernelFormatters
{
    public static void Register()
    {
        foreach (var type in DisplayTypes())
        {
            Formatter.Register(type, (value, writer) => writer.Write(Html(value)), HtmlFormatter.MimeType);
            Formatter.Register(type, (value, writer) => writer.Write(value.ToString()), PlainTextFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(type, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
        }
    }

    /// <summary>VaeLab's types that have their own HTML, and its experiment configs (records named *Config).</summary>
    public static IReadOnlyList<Type> DisplayTypes() =>
        typeof(Lab).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition &&
                        (typeof(IHtmlRenderable).IsAssignableFrom(t) || IsConfig(t)))
            .ToList();

    public static string Html(object value) => value switch
    {
        IHtmlRenderable r => r.ToHtml(),
        _ when IsConfig(value.GetType()) => ConfigTable(value),
        _ => WebUtility.HtmlEncode(value.ToString() ?? ""),
    };

    static bool IsConfig(Type t) => t.Name.EndsWith("Config", StringComparison.Ordinal) && t.GetMethod("<Clone>$") is not null;

    /// <summary>A config record as a two-column table: property and value.</summary>
    static string ConfigTable(object config)
    {
        var rows = config.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => $"<tr><td style=\"text-align:left\">{WebUtility.HtmlEncode(p.Name)}</td><td style=\"text-align:left\"><code>{WebUtility.HtmlEncode(Text(p.GetValue(config)))}</code></td></tr>");
        return $"<table class=\"vaelab-config\"><thead><tr><th colspan=\"2\" style=\"text-align:left\">{WebUtility.HtmlEncode(config.GetType().Name)}</th></tr></thead><tbody>{string.Join("", rows)}</tbody></table>";
    }

    static string Text(object? v) => v switch
    {
        null => "null",
        string s => s,
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Text)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
