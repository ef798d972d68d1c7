using System.CommandLine;
using VaeLab.Runner;
using VaeLab.Runner.Notebooks;

// The kernel routes Console.Out into the running cell; the runner's own lines go to the console it started with.
var console = Console.Out;
var error = Console.Error;

var parameters = new Option<string[]>("--parameter", "-p") { Description = "A parameter for the notebooks' 'parameters' cell, name=value (repeatable).",
    Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
var profile = new Option<string>("--profile") { Description = "smoke | default | paper; shorthand for -p profile=X. Smoke records claims without " +
    "judging them.", DefaultValueFactory = _ => "default" };
var outDir = new Option<string>("--out", "-o") { Description = "Folder for the executed notebooks, HTML pages, index.html and summary.json.",
    DefaultValueFactory = _ => Path.Combine("artifacts", "report") };
var cellTimeout = new Option<double?>("--cell-timeout") { Description = "Seconds a cell may run before it is interrupted (default: 600 under smoke, no limit " +
    "otherwise)." };
var notebooks = new Argument<string[]>("notebook") { Description = "Notebooks (.ipynb) to run, in order.", Arity = ArgumentArity.OneOrMore };
var notebooksDir = new Option<string?>("--notebooks") { Description = "Folder of notebooks to reproduce (default: notebooks/ of the repository)." };
var strict = new Option<bool>("--strict") { Description = "Exit with 1 when a judged claim does not hold (by default that is reported, and the exit " +
    "code says " +
    "only whether every notebook ran)." };

var run = new Command("run",
    "Run notebooks headlessly on the .NET Interactive C# kernel and write executed notebooks, an HTML report and summary.json.") { notebooks, parameters,
    profile, outDir, cellTimeout, strict };
var reproduce = new Command("reproduce", "Run every notebook in notebooks/, in order.") { parameters, profile, outDir, cellTimeout, notebooksDir, strict };

var exportNotebooks = new Argument<string[]>("notebook") { Description = "Notebooks (.ipynb) to export.", Arity = ArgumentArity.ZeroOrMore };
var exportTo = new Option<string>("--to") { Description = "What to write: cs, a C# file-based app (.NET 10: dotnet run app.cs).",
    DefaultValueFactory = _ => "cs" };
var exportOut = new Option<string>("--out", "-o") { Description = "Folder for the apps (default artifacts/export).",
    DefaultValueFactory = _ => Path.Combine("artifacts", "export") };
var exportAll = new Option<bool>("--all") { Description = "Export every notebook in notebooks/ (or --notebooks DIR)." };
var export = new Command("export",
    "Write notebooks as C# file-based apps: one .cs file each, run with 'dotnet run app.cs -- -p profile=smoke'; it writes its HTML page next to " +
        "the file.") { exportNotebooks, exportTo, exportOut, exportAll, notebooksDir };
export.SetAction(pr => Cli.Export(pr.GetValue(exportNotebooks) ?? [], pr.GetValue(exportAll), pr.GetValue(notebooksDir), pr.GetValue(exportTo)!,
    pr.GetValue(exportOut)!, console, error));

var resultsFiles = new Argument<string[]>("summary") { Description = "summary.json files of vaelab run or reproduce, in the order the page lists them.",
    Arity = ArgumentArity.ZeroOrMore };
var resultsOut = new Option<string?>("--out", "-o") { Description = "File to write (e.g. docs/results.md); default: standard output." };
var results = new Command("results",
    "Write the results page (Markdown) from summary.json files: every notebook's verdicts and every claim with its seeds.") { resultsFiles, resultsOut };
results.SetAction(pr => Cli.Results(pr.GetValue(resultsFiles) ?? [], pr.GetValue(resultsOut), console, error));

NotebookRunner? active = null;
int interrupts = 0;
Console.CancelKeyPress += (_, e) =>
{
    if (active == null || Interlocked.Increment(ref interrupts) > 1) return; // a second Ctrl+C ends the process
    e.Cancel = true;
    error.WriteLine("\nvaelab: Ctrl+C: stopping the running cell and writing what ran (Ctrl+C again to quit at once).");
    active.RequestStop("interrupted by Ctrl+C");
};

run.SetAction(pr => Cli.RunAsync(pr.GetValue(notebooks) ?? [], pr.GetValue(parameters) ?? [], pr.GetValue(profile)!, pr.GetValue(outDir)!,
    pr.GetValue(cellTimeout), console, error, r => active = r, pr.GetValue(strict)).GetAwaiter().GetResult());
reproduce.SetAction(pr =>
{
    IReadOnlyList<string> found;
    try { found = Cli.FindNotebooks(pr.GetValue(notebooksDir), out _); }
    catch (BadInputException e) { error.WriteLine($"vaelab: {e.Message}"); return Cli.ExitBadInput; }
    return Cli.RunAsync(found, pr.GetValue(parameters) ?? [], pr.GetValue(profile)!, pr.GetValue(outDir)!, pr.GetValue(cellTimeout), console, error,
        r => active = r, pr.GetValue(strict)).GetAwaiter().GetResult();
});

var root = new Command("vaelab",
    "vaelab: runs VaeLab's C# notebooks headlessly on the .NET Interactive C# kernel (the one VS Code's Polyglot Notebooks and Jupyter's .net-csharp run), " +
        "injects parameters and writes executed notebooks, an offline HTML report and " +
        "summary.json.") { run, reproduce, export, results, new System.CommandLine.Help.HelpOption(), new VersionOption() };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) error.WriteLine($"vaelab: {e.Message}");
    error.WriteLine("See 'vaelab --help'.");
    return Cli.ExitBadInput;
}
return parsed.Invoke();
