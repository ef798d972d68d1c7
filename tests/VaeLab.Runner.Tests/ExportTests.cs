using System.Text.Json.Nodes;
using VaeLab.Runner.Export;
using VaeLab.Testing;

namespace VaeLab.Runner.Tests;

/// <summary>`vaelab export`: the app written for small synthetic notebooks (expected text written out by hand from
/// the rules in NotebookExporter), and bad input (exit 2, nothing written).</summary>
public class ExportTests
{
    /// <summary>Writes an nbformat 4 C# notebook with the given cells (type, source, tags) to a temporary file.</summary>
    static string Notebook(string name, params (string Type, string Source, string[] Tags)[] cells)
    {
        var nb = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = ".net-csharp", ["language"] = "C#", ["display_name"] = ".NET (C#)" } },
            ["cells"] = new JsonArray(cells.Select((c, i) => (JsonNode)new JsonObject
            {
                ["cell_type"] = c.Type, ["id"] = $"c{i}", ["source"] = c.Source,
                ["metadata"] = new JsonObject { ["tags"] = new JsonArray(c.Tags.Select(t => (JsonNode)t).ToArray()) },
                ["outputs"] = new JsonArray(), ["execution_count"] = null,
            }).ToArray()),
        };
        var dir = TestEnvironment.NewScratchPath();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }

    // As the notebooks' setup cells: the kernel extension imports the common namespaces, the cell its experiment's.
    const string Setup = "#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"nuget: VaeLab, 0.1.0\"\nusing VaeLab.Experiments.Gaussians;\nLab.Setup(seed: 0)";

    [Fact]
    public void A_small_notebook_becomes_one_file_of_top_level_statements()
    {
        var path = Notebook("small.ipynb",
            ("markdown", "# Title\n\nText.", []),
            ("code", Setup, []),
            ("code", "var profile = \"default\";  // smoke | default\nint? epochs = null;\ndouble rate = 0.5;", ["parameters"]),
            ("code", "int Twice(int x) => 2 * x;\nvar n = Twice(epochs ?? 1);\nrecord Point(int X);\nn", []),
            ("code", "display(new Point(n));\nConsole.WriteLine(\"done\");", []));
        const string expected = """
            #:package TorchSharp-cpu@0.107.0
            #:package VaeLab@0.1.0
            #:property Nullable=annotations
            #:property ManagePackageVersionsCentrally=false
            #:property PublishAot=false
            #:property RuntimeIdentifier=$(NETCoreSdkPortableRuntimeIdentifier)
            // small.ipynb as a C# file-based app, written by `vaelab export`. Generated: edit the notebook and export again.
            // Run: dotnet run small.cs -- -p profile=smoke   (parameters: profile, epochs, rate)
            // It writes small.html next to this file; exit codes as `vaelab run` (0, 1 a cell failed, 2 bad input, 130 Ctrl+C).
            // Its build output (with this platform's libtorch, about 0.5 GB) is kept for the next run; `dotnet clean small.cs` frees it.

            using TorchSharp;
            using static TorchSharp.torch;
            using VaeLab;
            using VaeLab.Data;
            using VaeLab.Losses;
            using VaeLab.Metrics;
            using VaeLab.Nn;
            using VaeLab.Plots;
            using VaeLab.Reporting;
            using VaeLab.Training;
            using VaeLab.Experiments.Gaussians;
            using VaeLab.Hosting;
            using static VaeLab.Hosting.NotebookApp;  // display(x), as in the kernel

            NotebookApp.Start(args, "small.ipynb", ["profile:string", "epochs:int?", "rate:double"]);

            // ==== cell 1 (markdown) ====
            // # Title
            //
            // Text.

            // ==== cell 2 (code) ====
            NotebookApp.Cell(2);
            // #r "nuget: TorchSharp-cpu, 0.107.0": a #:package line at the top of this file
            // #r "nuget: VaeLab, 0.1.0": a #:package line at the top of this file
            // (this cell's using directives are at the top of the file)
            NotebookApp.ResultOf(() => Lab.Setup(seed: 0));

            // ==== cell 3 (code) ====
            NotebookApp.Cell(3);
            var profile = NotebookApp.Parameter("profile", "default");  // smoke | default
            int? epochs = NotebookApp.Parameter<int?>("epochs", null);
            double rate = NotebookApp.Parameter<double>("rate", 0.5);

            // ==== cell 4 (code) ====
            NotebookApp.Cell(4);
            int Twice(int x) => 2 * x;
            var n = Twice(epochs ?? 1);
            // (type Point is declared at the end of the file)
            NotebookApp.Result(n);

            // ==== cell 5 (code) ====
            NotebookApp.Cell(5);
            display(new Point(n));
            Console.WriteLine("done");

            // ==== end of the notebook's cells ====
            return NotebookApp.Finish();

            // Types declared in the cells: C# places them after the top-level statements.
            record Point(int X);


            """;
        Assert.Equal(expected, NotebookExporter.Export(path).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("x", "NotebookApp.Result(x);")]                              // a variable: shown directly
    [InlineData("$\"{1 + 1}\"", "NotebookApp.Result($\"{1 + 1}\");")]
    [InlineData("F(1)", "NotebookApp.ResultOf(() => F(1));")]               // a call may be void: C# picks the overload
    [InlineData("a?.F()", "NotebookApp.ResultOf(() => a?.F());")]
    [InlineData("x;", "x;")]                                                 // with a semicolon the kernel shows nothing
    public void A_cells_last_expression_is_shown_as_the_kernel_shows_it(string last, string expected)
    {
        var path = Notebook("last.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]), ("code", last, []));
        var app = NotebookExporter.Export(path);
        Assert.Contains("NotebookApp.Cell(3);\n" + expected + "\n", app.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Export_all_writes_every_app_into_the_out_folder()
    {
        var a = Notebook("a.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]));
        var b = Notebook("b.ipynb", ("code", Setup, []), ("code", "var q = true;", ["parameters"]));
        var outDir = Repo.TempDir();
        var (code, console, error) = Export([a, b], outDir);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(["a.cs", "b.cs"], Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)!).Order().ToArray());
        Assert.Contains("NotebookApp.Start(args, \"b.ipynb\", [\"q:bool\"]);", File.ReadAllText(Path.Combine(outDir, "b.cs")));
        Assert.Contains("run: dotnet run", console);
    }

    public static TheoryData<string, string> BadNotebooks => new()
    {
        { "python", "not C#" },
        { "no-parameters", "has no cell tagged 'parameters'" },
        { "magic", "'#!time' is a .NET Interactive command" },
        { "redeclared", "declares 'x' again (cell 1 declared it first)" },
        { "unpinned", "has no version; pin one" },
        { "no-vaelab", "no cell references VaeLab" },
        { "syntax", "does not parse as C#" },
    };

    [Theory]
    [MemberData(nameof(BadNotebooks))]
    public void Bad_notebooks_get_a_clear_error_and_nothing_is_written(string kind, string message)
    {
        var bad = kind switch
        {
            "python" => Repo.Fixture("python-kernel.ipynb"),
            "no-parameters" => Notebook("n.ipynb", ("code", Setup, [])),
            "magic" => Notebook("n.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]), ("code", "#!time\nvar y = 2;", [])),
            "redeclared" => Notebook("n.ipynb", ("code", Setup + ";\nvar x = 1;", []), ("code", "var p = 1;", ["parameters"]), ("code", "var x = 2;", [])),
            "unpinned" => Notebook("n.ipynb", ("code", "#r \"nuget: VaeLab\"\nusing VaeLab;", []), ("code", "var p = 1;", ["parameters"])),
            "no-vaelab" => Notebook("n.ipynb", ("code", "#r \"nuget: TorchSharp-cpu, 0.107.0\"", []), ("code", "var p = 1;", ["parameters"])),
            _ => Notebook("n.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]), ("code", "var y = (1 + ;", [])),
        };
        // A good notebook first: nothing is written for it either.
        var good = Notebook("good.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]));
        var outDir = Repo.TempDir();
        var (code, console, error) = Export([good, bad], outDir);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Contains(Path.GetFileName(bad), error);
        Assert.False(Directory.Exists(outDir));
        Assert.Equal("", console);
    }

    [Theory]
    [InlineData("ipynb", false, "--to ipynb: unknown format")]
    [InlineData("cs", true, "give notebooks or --all, not both")]
    public void Bad_options_are_refused(string to, bool all, string message)
    {
        var good = Notebook("good.ipynb", ("code", Setup, []), ("code", "var p = 1;", ["parameters"]));
        var outDir = Repo.TempDir();
        var console = new StringWriter(); var error = new StringWriter();
        Assert.Equal(2, Cli.Export([good], all, null, to, outDir, console, error));
        Assert.Contains(message, error.ToString());
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Every_repository_notebook_exports()
    {
        var outDir = Repo.TempDir();
        var console = new StringWriter(); var error = new StringWriter();
        Assert.Equal(0, Cli.Export([], true, Path.Combine(Repo.Root, "notebooks"), "cs", outDir, console, error));
        var apps = Directory.GetFiles(outDir, "*.cs");
        Assert.Equal(Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb").Length, apps.Length);
        foreach (var app in apps)
        {
            var text = File.ReadAllText(app);
            Assert.StartsWith("#:package TorchSharp-cpu@0.107.0\n#:package VaeLab@0.1.0\n", text.ReplaceLineEndings("\n"));
            Assert.Contains("var profile = NotebookApp.Parameter(\"profile\", \"default\");", text);
            Assert.EndsWith("return NotebookApp.Finish();\n", text.ReplaceLineEndings("\n"));
        }
    }

    static (int Code, string Console, string Error) Export(string[] notebooks, string outDir)
    {
        var console = new StringWriter(); var error = new StringWriter();
        var code = Cli.Export(notebooks, false, null, "cs", outDir, console, error);
        return (code, console.ToString(), error.ToString());
    }
}
