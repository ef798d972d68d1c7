using System.Net;
using System.Reflection;
using Microsoft.DotNet.Interactive.Formatting;
using static TorchSharp.torch;
using VaeLab.Reporting;

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
        // Everything else of VaeLab's, tensors and modules: their own short text, never the kernel's default property
        // tree, which reads every property and enumerates tensors element by element (measured: 220 MB of HTML for
        // one dataset value). Registered for base types, these also cover derived ones (every model is a Module).
        foreach (var type in PlainTypes())
        {
            Formatter.Register(type, (value, writer) => writer.Write(PlainText(value)), PlainTextFormatter.MimeType);
            Formatter.Register(type, (value, writer) => writer.Write($"<pre>{WebUtility.HtmlEncode(PlainText(value))}</pre>"), HtmlFormatter.MimeType);
            Formatter.SetPreferredMimeTypesFor(type, PlainTextFormatter.MimeType);
        }
    }

    /// <summary>Types shown as short text: tensors, modules, and VaeLab's types without HTML of their own.</summary>
    public static IReadOnlyList<Type> PlainTypes() =>
        new[] { typeof(Tensor), typeof(TorchSharp.torch.nn.Module) }
            .Concat(typeof(Lab).Assembly.GetExportedTypes().Where(t =>
                !t.IsAbstract && !t.IsGenericTypeDefinition && !t.IsEnum && !t.IsInterface && !typeof(Delegate).IsAssignableFrom(t) &&
                !(typeof(IHtmlRenderable).IsAssignableFrom(t) || IsConfig(t)) && !typeof(TorchSharp.torch.nn.Module).IsAssignableFrom(t)))
            .ToList();

    /// <summary>Short text for tensors, modules and VaeLab's other types (<see cref="ValueHtml.PlainText"/>).</summary>
    public static string PlainText(object value) => ValueHtml.PlainText(value);

    /// <summary>VaeLab's types that have their own HTML, and its experiment configs (records named *Config).</summary>
    public static IReadOnlyList<Type> DisplayTypes() =>
        typeof(Lab).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition &&
                        (typeof(IHtmlRenderable).IsAssignableFrom(t) || IsConfig(t)))
            .ToList();

    /// <summary>The HTML of a display type: the same as an exported app's page shows (<see cref="ValueHtml"/>).</summary>
    public static string Html(object value) => IsConfig(value.GetType()) || value is IHtmlRenderable ? ValueHtml.Html(value)
        : WebUtility.HtmlEncode(value.ToString() ?? "");

    static bool IsConfig(Type t) => ValueHtml.IsConfig(t);
}
