using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VaeLab.Reporting;

namespace VaeLab.Plots;

/// <summary>
/// A plotly.js object (a trace, a layout, or anything nested in them): properties named as in plotly.js's reference.
/// Dotted keys ("marker.color") create the nested objects.
/// </summary>
public class PlotlyObject
{
    readonly Dictionary<string, object?> _props = new(StringComparer.Ordinal);
    readonly List<string> _order = new();  // insertion order, so the JSON reads like the code that built it

    /// <summary>Sets a property; a dotted key creates or reuses nested objects. A null value removes the property.</summary>
    public PlotlyObject Set(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var parts = key.Split('.');
        var target = this;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (target.GetOwn(parts[i]) is not PlotlyObject next)
            {
                next = new PlotlyObject();
                target.SetOwn(parts[i], next);
            }
            target = next;
        }
        target.SetOwn(parts[^1], value);
        return this;
    }

    /// <summary>A property by (dotted) key, or null.</summary>
    public object? Get(string key)
    {
        object? current = this;
        foreach (var part in key.Split('.'))
            current = current is PlotlyObject o ? o.GetOwn(part) : null;
        return current;
    }

    /// <summary>The property names at this level, in the order they were set.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>A deep copy (nested objects copied; arrays shared, they are never mutated here).</summary>
    public T CopyTo<T>(T target) where T : PlotlyObject
    {
        foreach (var k in _order) target.SetOwn(k, _props[k] is PlotlyObject o ? o.CopyTo(new PlotlyObject()) : _props[k]);
        return target;
    }

    object? GetOwn(string key) => _props.TryGetValue(key, out var v) ? v : null;

    void SetOwn(string key, object? value)
    {
        if (value is null) { if (_props.Remove(key)) _order.Remove(key); return; }
        if (!_props.ContainsKey(key)) _order.Add(key);
        _props[key] = value;
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        foreach (var k in _order)
        {
            w.WritePropertyName(k);
            WriteValue(w, _props[k]);
        }
        w.WriteEndObject();
    }

    internal static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case PlotlyObject o: o.Write(w); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            // JSON has no NaN or infinity; plotly draws null as a gap.
            case double d: if (double.IsFinite(d)) w.WriteNumberValue(d); else w.WriteNullValue(); break;
            case float f: if (float.IsFinite(f)) w.WriteNumberValue(f); else w.WriteNullValue(); break;
            case int or long or short or byte or uint or ulong or decimal:
                w.WriteRawValue(Convert.ToString(v, CultureInfo.InvariantCulture)!); break;
            case Enum e: w.WriteStringValue(e.ToString()); break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"A plotly property cannot hold a {v.GetType().Name}: use numbers, strings, booleans, arrays or PlotlyObject.");
        }
    }
}

/// <summary>One plotly.js trace ("scatter", "heatmap", …).</summary>
public sealed class Trace : PlotlyObject
{
    public Trace(string type) => Set("type", type);
    public string Type => (string)Get("type")!;
}

/// <summary>
/// A plotly.js figure: traces and a layout. Displays as an interactive chart in the .NET Interactive kernel (VS Code,
/// Jupyter, dotnet-repl), in <c>vaelab run</c> and in the HTML report; plotly.js is inlined, so it draws offline.
/// </summary>
public sealed class Figure : Reporting.IHtmlRenderable
{
    public Figure(IEnumerable<Trace> traces, PlotlyObject? layout = null)
    {
        Traces = traces.ToList();
        Layout = layout ?? new PlotlyObject();
    }

    public List<Trace> Traces { get; }
    public PlotlyObject Layout { get; }

    /// <summary>The figure as plotly.js JSON: {"data": [...], "layout": {...}}.</summary>
    public string ToJson()
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("data");
            w.WriteStartArray();
            foreach (var t in Traces) t.Write(w);
            w.WriteEndArray();
            w.WritePropertyName("layout");
            Layout.Write(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>An HTML fragment that draws the figure (see <see cref="PlotlyHtml.Chart"/>).</summary>
    public string ToHtml() => PlotlyHtml.Chart(this);

    public override string ToString()
    {
        var title = Layout.Get("title.text") as string;
        return $"Figure{(string.IsNullOrEmpty(title) ? "" : $" \"{title}\"")}: {Traces.Count} trace(s) " +
            $"({string.Join(", ", Traces.Select(t => t.Type).Distinct())})";
    }
}
