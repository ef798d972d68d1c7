namespace VaeLab.Runner.Tests;

public class BadInputTests
{
    [Theory]
    [InlineData("invalid-json.ipynb", "not valid JSON")]
    [InlineData("nbformat3.ipynb", "nbformat is 3")]
    [InlineData("python-kernel.ipynb", "not C#")]
    [InlineData("no-such-notebook.ipynb", "no such notebook")]
    public void Bad_notebooks_are_refused_before_anything_runs_or_is_written(string fixture, string message)
    {
        // The good notebook first: it must not run either.
        var run = RunOutcome.Run([Repo.Fixture("outputs.ipynb"), Repo.Fixture(fixture)]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(fixture, run.Error);
        Assert.Contains(message, run.Error);
        Assert.False(Directory.Exists(run.OutDir));
        Assert.Equal("", run.Console);
    }

    [Theory]
    [InlineData(new[] { "epochs" }, "name=value")]
    [InlineData(new[] { "undeclared=1" }, "does not declare 'undeclared'")]
    [InlineData(new[] { "epochs=many" }, "not a int")]
    [InlineData(new[] { "profile=paper" }, "contradicts --profile")]
    public void Bad_parameters_are_refused_before_anything_runs(string[] parameters, string message)
    {
        var run = RunOutcome.Run([Repo.Fixture("parameters.ipynb")], parameters);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.False(Directory.Exists(run.OutDir));
    }

    [Fact]
    public void An_unknown_profile_is_refused()
    {
        var run = RunOutcome.Run([Repo.Fixture("parameters.ipynb")], profile: "fast");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown profile", run.Error);
    }
}
