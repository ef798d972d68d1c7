namespace VaeLab.Reporting.Pages;

/// <summary>KaTeX, embedded (Reporting/Pages/katex): renders the math spans Markdig emits, offline. Compiled into
/// VaeLab and the runner; each embeds the two files itself.</summary>
internal static class Katex
{
    public static string Script => _script.Value;
    public static string Css => _css.Value;

    /// <summary>
    /// Markdig writes $…$ and a $$…$$ inside a line as &lt;span class="math"&gt;\(…\)&lt;/span&gt;, and a $$ block as a
    /// div with \[…\]; render each in place, as a display when it is a div or stands alone in its paragraph.
    /// </summary>
    public const string RenderMath = """
        document.querySelectorAll(".math").forEach(function (el) {
          var p = el.parentElement;
          var alone = p && p.tagName === "P" && p.textContent.trim() === el.textContent.trim();
          var tex = el.textContent.trim(), display = el.tagName === "DIV" || alone;
          tex = tex.replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
          try { katex.render(tex, el, { displayMode: display, throwOnError: false }); } catch (e) { }
        });
        """;

    static readonly Lazy<string> _script = new(() => Read("katex.min.js"));
    static readonly Lazy<string> _css = new(() => Read("katex.inline.css"));

    static string Read(string name)
    {
        using var stream = typeof(Katex).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{typeof(Katex).Assembly.GetName().Name} was built without its embedded {name} " +
                $"(src/VaeLab/Reporting/Pages/katex).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
