namespace VaeLab.Reporting;

/// <summary>Something that renders itself as an HTML fragment (claims tables, progress, image grids).</summary>
public interface IHtmlRenderable
{
    string ToHtml();
}

/// <summary>A displayed output that can be replaced in place (a progress display stays one output).</summary>
public interface IDisplayHandle
{
    void Update(object value);
}

/// <summary>
/// The bridge from library code to whatever hosts it. VaeLab's kernel extension installs one that displays in the
/// running cell (and updates in place); without it (tests, plain programs), displays, progress and warnings are
/// printed as console lines.
/// </summary>
public interface IDisplayHost
{
    IDisplayHandle Display(object value);
    /// <summary>A progress line for a console host (a kernel shows the updated display instead).</summary>
    void Progress(string line);
    void Warn(string message);
}

public static class DisplayHost
{
    /// <summary>The host in use; a console fallback until a runner or kernel installs its own.</summary>
    public static IDisplayHost Current { get; set; } = new ConsoleDisplayHost();
}

/// <summary>Fallback host: writes text. Used by the tests and in kernels that are not ours.</summary>
public sealed class ConsoleDisplayHost : IDisplayHost
{
    sealed class Handle : IDisplayHandle { public void Update(object value) { } }
    public IDisplayHandle Display(object value) { Console.WriteLine(value); return new Handle(); }
    public void Progress(string line) => Console.WriteLine(line);
    public void Warn(string message) => Console.Error.WriteLine("warning: " + message);
}
