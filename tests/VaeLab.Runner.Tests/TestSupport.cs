using System.Diagnostics;
using System.Text.Json.Nodes;
using VaeLab.Runner;
using VaeLab.Runner.Engine;
using VaeLab.Testing;

namespace VaeLab.Runner.Tests;

/// <summary>Collects a session's outputs in memory.</summary>
sealed class RecordingSink : ICellOutputSink
{
    public List<CellOutput> Outputs { get; } = new();
    public int Updates { get; private set; }
    public void Stream(string name, string text)
    {
        if (Outputs.Count > 0 && Outputs[^1] is StreamOutput s && s.Name == name) s.Text.Append(text);
        else { var o = new StreamOutput(name); o.Text.Append(text); Outputs.Add(o); }
    }
    public void Display(DisplayOutput output) => Outputs.Add(output);
    public void UpdateDisplay(DisplayOutput output) => Updates++;
    public string Stdout => string.Concat(Outputs.OfType<StreamOutput>().Where(s => s.Name == "stdout").Select(s => s.Text.ToString()));
    public IReadOnlyList<DisplayOutput> Displays => Outputs.OfType<DisplayOutput>().ToList();
}

static class Repo
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VaeLab.sln"))) return d.FullName;
        throw new InvalidOperationException("VaeLab.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Fixture(string name) => Path.Combine(Root, "tests", "VaeLab.Runner.Tests", "Fixtures", name);

    public static string TempDir()
    {
        var d = TestEnvironment.NewScratchPath();
        return d; // not created: the runner must create it (and must not when the input is bad)
    }
}

/// <summary>One in-process run of the CLI's logic, with what it printed and wrote.</summary>
sealed class RunOutcome
{
    public required int ExitCode { get; init; }
    public required string Console { get; init; }
    public required string Error { get; init; }
    public required string OutDir { get; init; }
    public JsonObject Summary => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, "summary.json")))!;
    public JsonObject Notebook(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, name + ".ipynb")))!;
    public string Html(string name) => File.ReadAllText(Path.Combine(OutDir, name + ".html"));

    public static RunOutcome Run(IEnumerable<string> notebooks, string[]? parameters = null, string profile = "default", double? cellTimeout = null, bool strict = false)
    {
        var outDir = Repo.TempDir();
        var console = new StringWriter();
        var error = new StringWriter();
        int code = Cli.RunAsync(notebooks.ToList(), parameters ?? [], profile, outDir, cellTimeout, console, error, strict: strict).GetAwaiter().GetResult();
        return new RunOutcome { ExitCode = code, Console = console.ToString(), Error = error.ToString(), OutDir = outDir };
    }

    public static RunOutcome Fixtures(params string[] names) => Run(names.Select(Repo.Fixture));
}

static class Nbformat
{
    /// <summary>Validates with nbformat's own validator (Debian python3-nbformat); returns its complaint or null.</summary>
    public static string? Validate(string path)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-c", "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=4)\nnbformat.validate(nb)\nprint('valid')", path },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (stderr.Contains("No module named 'nbformat'"))
            throw new InvalidOperationException("python3-nbformat is missing: apt-get install -y python3-nbformat");
        return p.ExitCode == 0 && stdout.Trim() == "valid" ? null : $"{path}: {stderr}";
    }

    public static void AssertValid(string path)
    {
        var problem = Validate(path);
        Assert.True(problem == null, problem);
    }
}

static class Json
{
    public static string Text(JsonNode? multiline) => multiline switch
    {
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public static JsonArray Cells(JsonObject nb) => nb["cells"]!.AsArray();
    public static JsonArray Outputs(JsonObject nb, int index) => nb["cells"]![index]!["outputs"]!.AsArray();
}
