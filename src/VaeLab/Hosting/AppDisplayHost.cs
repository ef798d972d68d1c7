using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Hosting;

/// <summary>
/// The display host of an exported app: what a cell displays is kept as HTML for the page (the HTML the kernel
/// extension shows, <see cref="ValueHtml"/>) and printed as text; an update replaces the output in place (progress
/// bars), and progress lines and warnings go to the terminal.
/// </summary>
internal sealed class AppDisplayHost(AppRun run, TextWriter terminal, TextWriter terminalError) : IDisplayHost
{
    sealed class Handle(AppRun run, AppOutput output) : IDisplayHandle
    {
        public void Update(object value) => run.Replace(output, ValueHtml.Html(value));
    }

    public IDisplayHandle Display(object value)
    {
        var output = run.Add(ValueHtml.Html(value));
        // A progress display prints its own lines (Progress below).
        if (value is not TrainingProgress) terminal.WriteLine(ValueHtml.PlainText(value));
        return new Handle(run, output);
    }

    public void Progress(string line) => terminal.WriteLine("  " + line);

    public void Warn(string message)
    {
        terminalError.WriteLine("warning: " + message);
        run.AddStream("stderr", "warning: " + message + Environment.NewLine);
    }
}
