namespace VaeLab.Runner.Tests;

/// <summary>Every notebook in notebooks/ runs under the smoke profile without an error.</summary>
public class RepositoryNotebookTests
{
    [Fact]
    public void Every_repository_notebook_runs_under_smoke_without_error()
    {
        var folder = Path.Combine(Repo.Root, "notebooks");
        var notebooks = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToList()
            : [];
        if (notebooks.Count == 0) return; // none written yet; each one that exists is run below

        var run = RunOutcome.Run(notebooks, profile: "smoke");
        var entries = run.Summary["notebooks"]!.AsArray();
        Assert.Equal(notebooks.Count, entries.Count);
        var failures = entries
            .Where(e => e!["status"]!.GetValue<string>() != "ok")
            .Select(e => $"{e!["notebook"]}: {e["status"]} in cell {e["error"]?["cell"]}: {e["error"]?["message"]}")
            .ToList();
        Assert.True(failures.Count == 0, "notebooks failed under smoke:\n" + string.Join("\n", failures) + "\n\n" + run.Console);
        foreach (var nb in Directory.GetFiles(run.OutDir, "*.ipynb")) Nbformat.AssertValid(nb);
        Assert.Equal(0, run.ExitCode);
    }
}

/// <summary>The notebooks pin the versions the repository builds: TorchSharp's and VaeLab's own.</summary>
public class NotebookPinTests
{
    [Fact]
    public void Every_setup_cell_pins_the_central_TorchSharp_and_the_packed_VaeLab_version()
    {
        string Property(string file, string name) =>
            System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(Repo.Root, file)), $"<{name}>([^<]+)</{name}>").Groups[1].Value;
        var torchSharp = Property("Directory.Packages.props", "TorchSharpVersion");
        var vaeLab = Property("Directory.Build.props", "Version");
        Assert.NotEqual("", torchSharp);
        Assert.NotEqual("", vaeLab);
        foreach (var path in Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "[0-9]*.ipynb"))
        {
            var nb = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            var setup = Json.Text(Json.Cells(nb).First(c => c!["cell_type"]!.GetValue<string>() == "code")!["source"]);
            Assert.Contains($"#r \"nuget: TorchSharp-cpu, {torchSharp}\"", setup);
            Assert.Contains($"#r \"nuget: VaeLab, {vaeLab}\"", setup);
        }
    }
}
