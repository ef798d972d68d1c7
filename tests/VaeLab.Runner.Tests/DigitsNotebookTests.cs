namespace VaeLab.Runner.Tests;

/// <summary>
/// A notebook whose document used MNIST runs on the real digits (mnist-10k) when they are provisioned. Under CI
/// (CI=true) the digits must be there: .ci/run provisions them with scripts/provision-data.sh. Elsewhere, without
/// them, the test says so and returns (run scripts/provision-data.sh to include it).
/// </summary>
public class DigitsNotebookTests
{
    [Fact]
    public void A_digits_notebook_runs_under_smoke_on_mnist_10k()
    {
        var digits = Path.Combine(Repo.Root, "data", "mnist-10k");
        bool present = File.Exists(Path.Combine(digits, "train-images-idx3-ubyte"));
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.True(present, $"{digits} is missing: CI must run scripts/provision-data.sh before the tests (see .ci/run).");
        else if (!present || Directory.Exists(Path.Combine(Repo.Root, "data", "mnist")) || Environment.GetEnvironmentVariable("VAELAB_DATA_DIR") != null)
        {
            Console.WriteLine($"skipped: {digits} is absent, or a full MNIST or VAELAB_DATA_DIR would be used first (run scripts/provision-data.sh)");
            return;
        }

        var run = RunOutcome.Run([Path.Combine(Repo.Root, "notebooks", "04-low-capacity-decoder.ipynb")], profile: "smoke");
        var entry = run.Summary["notebooks"]![0]!;
        Assert.True(entry["status"]!.GetValue<string>() == "ok", run.Console);
        var dataset = Assert.Single(entry["datasets"]!.AsArray())!;
        Assert.Equal("mnist", dataset["requested"]!.GetValue<string>());
        Assert.Equal("mnist-10k", dataset["used"]!.GetValue<string>());
        Assert.EndsWith("8000 training + 2000 test images", dataset["source"]!.GetValue<string>());
        Assert.Contains(entry["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("Using 'mnist-10k' instead"));
        Assert.Equal(0, run.ExitCode);
    }
}
