using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Plotly.NET;
using TorchSharp;
using VaeLab.Reporting;

namespace VaeLab.Runner.Engine;

/// <summary>
/// Turns a value into MIME outputs, as the .NET Interactive C# kernel would for the types the notebooks use:
/// Plotly.NET charts → text/html (drawn with window.Plotly, supplied once per page), tensors → a short text/plain
/// summary, strings and numbers → text/plain, <see cref="IHtmlRenderable"/> → text/html, other objects → a table
/// of their public properties (or their ToString() where they override it).
/// </summary>
public static class Formatters
{
    const int MaxItems = 20;

    public static MimeBundle Format(object? value)
    {
        switch (value)
        {
            case null:
                return MimeBundle.Plain("<null>");
            case string s:
                return MimeBundle.Plain(s);
            case GenericChart chart:
                return new MimeBundle([new("text/html", ChartHtml(chart)), new("text/plain", "Plotly.NET chart")], needsPlotly: true);
            case torch.Tensor t:
                return MimeBundle.Plain(TensorSummary(t));
            case IHtmlRenderable r:
                return new MimeBundle([new("text/html", r.ToHtml()), new("text/plain", r.ToString() ?? "")]);
            case IFormattable f when value.GetType().IsPrimitive || value is decimal || value is DateTime || value is DateTimeOffset || value is TimeSpan:
                return MimeBundle.Plain(f.ToString(null, CultureInfo.InvariantCulture));
            case bool or char or Enum or Guid or Uri or Type:
                return MimeBundle.Plain(value.ToString() ?? "");
            case Exception e:
                return MimeBundle.Plain(e.ToString());
            case IDictionary d:
                return Dictionary(d);
            case IEnumerable items:
                return Sequence(items);
        }
        if (OverridesToString(value.GetType()))
            return MimeBundle.Plain(value.ToString() ?? "");
        return Properties(value);
    }

    /// <summary>plotly.min.js as shipped inside Plotly.NET, so pages draw charts offline.</summary>
    public static string PlotlyJs => _plotlyJs.Value;

    /// <summary>Loads plotly.js once into a page: an inline script that defines window.Plotly.</summary>
    public static string PlotlyScriptTag => $"<script type=\"text/javascript\">{PlotlyJs}</script>";

    static readonly Lazy<string> _plotlyJs = new(() =>
    {
        var asm = typeof(GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly", StringComparison.OrdinalIgnoreCase))
                   ?? throw new InvalidOperationException($"plotly.min.js is not embedded in {asm.GetName()}; charts cannot be drawn offline.");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        // A literal "</script" would end the inline script tag early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    });

    static int _chartCounter;

    static string ChartHtml(GenericChart chart)
    {
        var json = GenericChart.toJson(chart).Replace("</", "<\\/");
        var id = $"vaelab-chart-{Guid.NewGuid():N}".Substring(0, 26) + Interlocked.Increment(ref _chartCounter);
        // Draws now if plotly.js is loaded, otherwise waits for the page's (or notebook's) single copy.
        return $"<div id=\"{id}\"></div>\n<script type=\"text/javascript\">(function(){{var fig={json};" +
               $"var draw=function(){{window.Plotly.newPlot('{id}',fig.data,fig.layout||{{}},fig.config||{{}});}};" +
               "if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly){clearInterval(t);draw();}else if(++n>200){clearInterval(t);}},50);}})();</script>";
    }

    /// <summary>e.g. "Tensor float32 [64, 784] on cpu" plus the values when there are at most 64.</summary>
    public static string TensorSummary(torch.Tensor t)
    {
        try
        {
            var head = $"Tensor {t.dtype.ToString().ToLowerInvariant()} [{string.Join(", ", t.shape)}] on {t.device}{(t.requires_grad ? ", requires_grad" : "")}";
            if (t.numel() <= 64)
                head += Environment.NewLine + t.ToString(TorchSharp.TensorStringStyle.Numpy, cultureInfo: CultureInfo.InvariantCulture);
            return head;
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            return "Tensor (disposed)";
        }
    }

    static bool OverridesToString(Type type)
    {
        var m = type.GetMethod("ToString", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        return m != null && m.DeclaringType != typeof(object) && m.DeclaringType != typeof(ValueType);
    }

    static string H(string? s) => WebUtility.HtmlEncode(s ?? "");

    static string Short(object? v) => v switch
    {
        null => "<null>",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        torch.Tensor t => TensorSummary(t).Split('\n')[0],
        _ => v.ToString() ?? "",
    };

    static MimeBundle Sequence(IEnumerable items)
    {
        var list = new List<object?>();
        bool more = false;
        foreach (var item in items)
        {
            if (list.Count == MaxItems) { more = true; break; }
            list.Add(item);
        }
        var html = new StringBuilder("<table class=\"vaelab-value\"><thead><tr><th><i>index</i></th><th>value</th></tr></thead><tbody>");
        for (int i = 0; i < list.Count; i++)
            html.Append($"<tr><td>{i}</td><td>{H(Short(list[i]))}</td></tr>");
        if (more) html.Append($"<tr><td colspan=\"2\">(first {MaxItems} shown)</td></tr>");
        html.Append("</tbody></table>");
        var text = "[" + string.Join(", ", list.Select(Short)) + (more ? ", ..." : "") + "]";
        return new MimeBundle([new("text/html", html.ToString()), new("text/plain", text)]);
    }

    static MimeBundle Dictionary(IDictionary d)
    {
        var html = new StringBuilder("<table class=\"vaelab-value\"><thead><tr><th><i>key</i></th><th>value</th></tr></thead><tbody>");
        var text = new StringBuilder();
        int n = 0;
        foreach (DictionaryEntry e in d)
        {
            if (n++ == MaxItems) { html.Append($"<tr><td colspan=\"2\">(first {MaxItems} shown)</td></tr>"); text.AppendLine("..."); break; }
            html.Append($"<tr><td>{H(Short(e.Key))}</td><td>{H(Short(e.Value))}</td></tr>");
            text.AppendLine($"{Short(e.Key)}: {Short(e.Value)}");
        }
        html.Append("</tbody></table>");
        return new MimeBundle([new("text/html", html.ToString()), new("text/plain", text.ToString().TrimEnd())]);
    }

    static MimeBundle Properties(object value)
    {
        var type = value.GetType();
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance);
        var rows = new List<(string Name, string Value)>();
        foreach (var p in props)
        {
            string v;
            try { v = Short(p.GetValue(value)); }
            catch (TargetInvocationException e) { v = $"({e.InnerException?.GetType().Name ?? "error"})"; }
            rows.Add((p.Name, v));
        }
        foreach (var f in fields) rows.Add((f.Name, Short(f.GetValue(value))));
        var html = new StringBuilder($"<table class=\"vaelab-value\"><thead><tr><th colspan=\"2\" style=\"text-align:left\">{H(type.Name)}</th></tr></thead><tbody>");
        foreach (var (name, v) in rows) html.Append($"<tr><td style=\"text-align:left\">{H(name)}</td><td style=\"text-align:left\">{H(v)}</td></tr>");
        html.Append("</tbody></table>");
        var text = rows.Count == 0 ? type.FullName ?? type.Name : $"{type.Name} {{ {string.Join(", ", rows.Select(r => $"{r.Name} = {r.Value}"))} }}";
        return new MimeBundle([new("text/html", html.ToString()), new("text/plain", text)]);
    }
}
