using System.Net;
using System.Reflection;
using static TorchSharp.torch;

namespace VaeLab.Reporting;

/// <summary>
/// How a displayed value looks, as HTML and as text: VaeLab's displays (figures, claims, metric tables, progress bars)
/// by their own HTML, experiment configs (records named *Config) as a table, tensors and modules as a short summary.
/// The kernel extension registers these with the kernel's formatters; an exported app's display host calls them.
/// </summary>
public static class ValueHtml
{
    public static string Html(object value) => value switch
    {
        IHtmlRenderable r => r.ToHtml(),
        _ when IsConfig(value.GetType()) => ConfigTable(value),
        _ => $"<pre>{WebUtility.HtmlEncode(PlainText(value))}</pre>",
    };

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

    /// <summary>An experiment config: a record (it has a clone method) whose name ends in Config.</summary>
    public static bool IsConfig(Type t) => t.Name.EndsWith("Config", StringComparison.Ordinal) && t.GetMethod("<Clone>$") is not null;

    /// <summary>A config record as a two-column table: property and value.</summary>
    public static string ConfigTable(object config)
    {
        var rows = config.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => $"<tr><td style=\"text-align:left\">{WebUtility.HtmlEncode(p.Name)}</td><td " +
                $"style=\"text-align:left\"><code>{WebUtility.HtmlEncode(Text(p.GetValue(config)))}</code></td></tr>");
        return $"<table class=\"vaelab-config\"><thead><tr><th colspan=\"2\" " +
            $"style=\"text-align:left\">{WebUtility.HtmlEncode(config.GetType().Name)}</th></tr></thead><tbody>{string.Join("", rows)}</tbody></table>";
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
