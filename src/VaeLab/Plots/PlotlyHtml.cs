using System.Reflection;

namespace VaeLab.Plots;

/// <summary>
/// HTML for figures. The first chart of a session carries plotly.js inline (no CDN, so it draws offline); later
/// charts wait for that copy. A session is a kernel (the VaeLab kernel extension starts one when it loads) or a
/// notebook run by <c>vaelab run</c>.
/// </summary>
public static class PlotlyHtml
{
    static int _sent;     // 1 once this session's first chart carried plotly.js
    static int _counter;

    /// <summary>The plotly.js version inlined (from the Plotly.NET package VaeLab is built against).</summary>
    public static string PlotlyJsVersion => _version.Value;

    /// <summary>plotly.min.js, embedded in VaeLab.dll at build time.</summary>
    public static string PlotlyJs => _plotlyJs.Value;

    /// <summary>Starts a session: the next chart carries plotly.js again.</summary>
    public static void BeginSession() => Interlocked.Exchange(ref _sent, 0);

    /// <summary>
    /// A div and a script that draws <paramref name="figure"/> with window.Plotly, now or as soon as the session's
    /// copy of plotly.js has loaded. The first call of a session also defines window.Plotly.
    /// </summary>
    public static string Chart(Figure figure)
    {
        bool first = Interlocked.Exchange(ref _sent, 1) == 0;
        var json = figure.ToJson().Replace("</", "<\\/", StringComparison.Ordinal);
        var id = $"vaelab-chart-{Guid.NewGuid():N}"[..26] + Interlocked.Increment(ref _counter);
        var script = $"<div id=\"{id}\"></div>\n<script type=\"text/javascript\">(function(){{var fig={json};" +
                     $"var draw=function(){{window.Plotly.newPlot('{id}',fig.data,fig.layout||{{}},{{responsive:true}});}};" +
                     "if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly){clearInterval(t);draw();}else " +
                         "if(++n>200){clearInterval(t);}},50);}})();</script>";
        return first ? ScriptTag + "\n" + script : script;
    }

    /// <summary>An inline script that defines window.Plotly.</summary>
    public static string ScriptTag => $"<script type=\"text/javascript\">{PlotlyJs}</script>";

    static readonly Lazy<string> _plotlyJs = new(() =>
    {
        using var stream = typeof(PlotlyHtml).Assembly.GetManifestResourceStream("plotly.min.js")
            ?? throw new InvalidOperationException("plotly.min.js is not embedded in VaeLab.dll; rebuild src/VaeLab (it is extracted from the Plotly.NET " +
                "package at build time).");
        using var reader = new StreamReader(stream);
        // A literal "</script" would end the inline script tag early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    });

    static readonly Lazy<string> _version = new(() =>
    {
        var head = PlotlyJs.Length > 300 ? PlotlyJs[..300] : PlotlyJs;
        var m = System.Text.RegularExpressions.Regex.Match(head, @"plotly\.js v(\d+\.\d+\.\d+)");
        return m.Success ? m.Groups[1].Value : "unknown";
    });
}
