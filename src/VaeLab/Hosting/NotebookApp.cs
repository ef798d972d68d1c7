using System.Runtime.CompilerServices;
using VaeLab.Plots;
using VaeLab.Reporting;

namespace VaeLab.Hosting;

/// <summary>
/// What a notebook gets from its kernel, for a notebook exported as a C# file-based app (`vaelab export`, then
/// <c>dotnet run app.cs -- -p profile=smoke</c>). The exported file calls <see cref="Start"/> first, then runs the
/// cells as top-level statements. This host gives them:
/// <list type="bullet">
/// <item>the parameters cell's values from the command line, with `vaelab run`'s syntax and rules (<see cref="Parameter{T}"/>);</item>
/// <item><c>display(x)</c> and a cell's last expression (<see cref="Result{T}(T)"/>): HTML on the app's page, text on the console;</item>
/// <item>Ctrl+C as <see cref="Interrupts"/>: training stops within a second, as with the kernel's stop button;</item>
/// <item>the page: <c>&lt;app&gt;.html</c> next to the .cs file, rendered by the code of `vaelab run`'s report pages;</item>
/// <item>`vaelab run`'s exit codes: 0 ran, 1 a cell failed, 2 bad input (nothing runs), 130 after Ctrl+C.</item>
/// </list>
/// TorchSharp's native glue on Debian 12 is the VaeLab package's build step (buildTransitive/VaeLab.targets), not code here.
/// </summary>
public static class NotebookApp
{
    public const int ExitFailed = 1, ExitBadInput = 2, ExitInterrupted = 130;

    static AppRun? _run;
    static AppArguments _args = new();
    static TextWriter _terminal = Console.Out, _terminalError = Console.Error;
    static int _interrupts;

    static AppRun Run => _run ?? throw new InvalidOperationException("NotebookApp.Start(args, ...) must be the exported file's first statement.");

    /// <summary>Starts the app: reads the command line (exit 2 on bad input, before anything runs), installs the display
    /// host, Ctrl+C and error handling. <paramref name="parameters"/>: "name:type" for each variable of the parameters cell.</summary>
    public static void Start(string[] args, string notebook, string[] parameters, [CallerFilePath] string sourcePath = "")
    {
        _terminal = Console.Out;
        _terminalError = Console.Error;
        try
        {
            _args = AppArguments.Parse(args, notebook, parameters);
        }
        catch (AppBadInputException e)
        {
            _terminalError.WriteLine($"error: {e.Message}");
            Environment.Exit(ExitBadInput);
        }
        var source = SourceFile(sourcePath);
        var page = Path.ChangeExtension(source ?? Path.Combine(Directory.GetCurrentDirectory(), Path.GetFileNameWithoutExtension(notebook) + ".cs"), ".html");
        if (_args.Help)
        {
            _terminal.WriteLine($"{Path.GetFileName(source ?? notebook)}: notebook {notebook} as a C# file-based app (exported by vaelab export).");
            _terminal.WriteLine($"Usage: dotnet run {Path.GetFileName(source ?? "app.cs")} -- [-p name=value]... [--profile smoke|default|paper]");
            _terminal.WriteLine($"Parameters (the notebook's parameters cell): {string.Join(", ", parameters.Select(p => p.Split(':')[0]))}");
            _terminal.WriteLine($"Writes {page}. Exit codes: 0 ran, 1 a cell failed, 2 bad input, 130 Ctrl+C.");
            Environment.Exit(0);
        }
        var run = _run = new AppRun(notebook, source, page);
        run.Given.AddRange(_args.Values.Select(v => $"{v.Key} = {AppRun.Json(v.Value.Value.Value)}"));

        PlotlyHtml.BeginSession();  // the page's first chart carries plotly.js: it draws offline
        RunLog.Begin();
        DisplayHost.Current = new AppDisplayHost(run, _terminal, _terminalError);
        Console.SetOut(new ConsoleTee(_terminal, t => run.AddStream("stdout", t)));
        Console.SetError(new ConsoleTee(_terminalError, t => run.AddStream("stderr", t)));
        Console.CancelKeyPress += OnCancelKeyPress;
        AppDomain.CurrentDomain.UnhandledException += (_, e) => Fail(e.ExceptionObject as Exception);
        _terminal.WriteLine($"{Path.GetFileName(source ?? notebook)}: {notebook} as a C# " +
            $"app{(run.Given.Count > 0 ? $" ({string.Join(", ", run.Given)})" : "")}; page: {page}");
    }

    /// <summary>A variable of the parameters cell: the value given with -p, else the notebook's default.</summary>
    public static T Parameter<T>(string name, T fallback)
    {
        T value;
        try { value = _args.Get(Run.Notebook, name, fallback); }
        catch (AppBadInputException e)
        {
            _terminalError.WriteLine($"error: {e.Message}");
            Environment.Exit(ExitBadInput);
            throw;  // not reached
        }
        if (name == "profile" && value is string profile) Run.Profile = profile;
        return value;
    }

    /// <summary>Marks the start of code cell <paramref name="number"/> (its number in the notebook): the page so far
    /// is written, and the cell's outputs go under it.</summary>
    public static void Cell(int number)
    {
        var run = Run;
        if (run.Cell > 0) run.WritePage();
        Interrupts.ThrowIfRequested();
        NativeMemoryTuning.ReleaseFreeMemory();  // as the kernel extension does before each cell
        run.BeginCell(number);
        _terminal.WriteLine($"-- cell {number}");
    }

    /// <summary>A cell's last expression, shown as the kernel shows it (nothing for null).</summary>
    public static void Result<T>(T value)
    {
        if (value is not null) DisplayHost.Current.Display(value);
    }

    /// <summary>A cell's last expression when it is a call: shown if it returns a value (this overload), run if it
    /// returns nothing (the next); C# picks this one whenever the call has a value.</summary>
    public static void ResultOf<T>(Func<T> expression) => Result(expression());

    public static void ResultOf(Action expression) => expression();

    /// <summary>The kernel's <c>display(x)</c>: shows <paramref name="value"/> now; the handle updates it in place.</summary>
#pragma warning disable IDE1006 // named as in the kernel, so that cells call it unchanged
    public static IDisplayHandle display(object value) => DisplayHost.Current.Display(value);
#pragma warning restore IDE1006

    /// <summary>The end of the last cell: writes the page and returns the exit code (0, or 130 after a Ctrl+C that no
    /// cell noticed).</summary>
    public static int Finish()
    {
        var run = Run;
        bool interrupted = _interrupts > 0;
        run.End(interrupted ? "interrupted" : "ok", interrupted ? $"cell {run.Cell}: interrupted by Ctrl+C" : null);
        run.WritePage();
        var claims = RunLog.Current.Claims;
        var line = ClaimsLine(claims);
        _terminal.WriteLine($"{(interrupted ? "interrupted" : "ok")} in {(DateTimeOffset.Now - run.Started).TotalSeconds:0.0} s; {line}. Page: {run.PagePath}");
        return interrupted ? ExitInterrupted : 0;
    }

    static string ClaimsLine(IReadOnlyList<Claim> claims) =>
        Reporting.Pages.NotebookPageHtml.ClaimsLine(claims.Count, claims.Count(c => c.Verdict != Verdict.NotJudged),
            claims.Count(c => c.Verdict == Verdict.Passed), claims.Count(c => c.Verdict == Verdict.Mixed));

    static void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Interlocked.Increment(ref _interrupts) > 1) return;  // a second Ctrl+C ends the process at once
        e.Cancel = true;
        _terminalError.WriteLine("\nCtrl+C: stopping the running cell and writing the page (Ctrl+C again to quit at once).");
        Interrupts.Request("interrupted by Ctrl+C");
    }

    /// <summary>An exception no cell caught: the cell failed (exit 1), or was stopped by Ctrl+C (exit 130).</summary>
    static void Fail(Exception? error)
    {
        var run = _run;
        bool interrupted = _interrupts > 0 && error is OperationCanceledException;
        int code = interrupted ? ExitInterrupted : ExitFailed;
        var message = $"cell {run?.Cell}: {error?.GetType().Name}: {error?.Message}";
        try
        {
            if (run != null)
            {
                run.End(interrupted ? "interrupted" : "error", message, error);
                run.WritePage();
            }
        }
        catch (Exception e) { _terminalError.WriteLine($"could not write the page: {e.Message}"); }
        _terminalError.WriteLine(interrupted ? $"interrupted in cell {run?.Cell}." : $"error in {message}");
        if (!interrupted) _terminalError.WriteLine(error?.ToString());
        if (run != null) _terminalError.WriteLine($"Page: {run.PagePath}. Exit code {code}.");
        _terminalError.Flush();
        Environment.Exit(code);
    }

    /// <summary>The exported .cs file: the compiler's path of the calling file, else .NET 10's entry-point path.</summary>
    static string? SourceFile(string callerPath)
    {
        if (callerPath.Length > 0 && File.Exists(callerPath)) return callerPath;
        return AppContext.GetData("EntryPointFilePath") is string p && File.Exists(p) ? p : null;
    }
}
