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
