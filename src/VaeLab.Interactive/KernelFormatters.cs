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

    /// <summary>A tensor as its type, shape and device (and its values when there are at most 20); a module as its
    /// type and parameter count; anything else as its ToString().</summary>
    public static string PlainText(object value) => value switch
    {
        Tensor t => TensorSummary(t),
        TorchSharp.torch.nn.Module m => $"{m.GetType().Name}: {m.parameters().Sum(p => p.numel()):N0} parameters",
        _ => value.ToString() ?? "",
    };

    static string TensorSummary(Tensor t)
    {
        if (t.IsInvalid) return "Tensor (disposed)";
        var head = $"Tensor {t.dtype.ToString().ToLowerInvariant()} [{string.Join(", ", t.shape)}] on {t.device}";
        if (t.numel() > 20) return head;
        return head + "\n" + t.cpu().ToString(TorchSharp.TensorStringStyle.Numpy);
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
