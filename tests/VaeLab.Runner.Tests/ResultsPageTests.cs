using System.Text.Json.Nodes;

namespace VaeLab.Runner.Tests;

/// <summary>docs/results.md is rendered from summary.json: every verdict and seed as the run recorded it.</summary>
public class ResultsPageTests
{
    static JsonObject Summary() => (JsonObject)JsonNode.Parse("""
        {
          "profile": "default", "commit": "0123456789abcdef0123", "started": "2026-12-05T21:00:00+00:00", "duration_s": 754.2,
          "exit_code": 0, "claims": "1 of 3 claims held, 1 mixed over seeds",
          "notebooks": [
            { "notebook": "notebooks/03-kl-annealing.ipynb", "status": "ok", "duration_s": 95.5, "peak_rss_bytes": 1230000000,
              "datasets": [ { "requested": "mnist", "used": "mnist-10k", "source": "repository" } ],
              "claims": [
                { "statement": "KL | small", "measure": "final KL", "measured": 0.05, "bound": "< 0.1", "verdict": "passed",
                  "seeds": [ { "seed": 0, "measured": 0.05, "verdict": "passed" }, { "seed": 1, "measured": 0.02, "verdict": "passed" } ] },
                { "statement": "recovers", "measure": "final KL", "measured": 0.5, "bound": "> 1", "verdict": "mixed",
                  "seeds": [ { "seed": 0, "measured": 2, "verdict": "passed" }, { "seed": 1, "measured": 0.5, "verdict": "failed" } ] },
                { "statement": "wider", "measure": "ratio", "measured": 3, "bound": "> 1", "verdict": "not-judged", "seeds": null },
                { "statement": "one draw", "measure": "x", "measured": 7, "bound": "< 1", "verdict": "failed" }
              ] },
            { "notebook": "notebooks/01-gaussians-ae-vs-vae.ipynb", "status": "error", "duration_s": 3, "datasets": [], "claims": [] }
          ]
        }
        """)!;

    [Fact]
    public void The_page_lists_each_run_each_notebook_and_each_claim_with_its_seeds()
    {
        var page = ResultsPage.Render([("artifacts/report/summary.json", Summary())]);
        Assert.Contains("## `default` profile, commit 0123456789ab", page);
        Assert.Contains("From `artifacts/report/summary.json`: started 2026-12-05 21:00 +00:00, 12 min 34 s in all, exit code 0; 1 of 3 claims held, 1 mixed over seeds.", page);
        Assert.Contains("| 03-kl-annealing | ok | mnist-10k | 1 | 1 | 1 | 1 | 1 min 36 s | 1.23 GB |", page);
        Assert.Contains("| 01-gaussians-ae-vs-vae | error |  | 0 | 0 | 0 | 0 | 3 s | ? |", page);
        Assert.Contains("| KL \\| small | final KL | 0.05 | < 0.1 | passed | 0: 0.05 ✓; 1: 0.02 ✓ |", page);
        Assert.Contains("| recovers | final KL | 0.5 | > 1 | **mixed** | 0: 2 ✓; 1: 0.5 ✗ |", page);
        Assert.Contains("| wider | ratio | 3 | > 1 | not judged |  |", page);
        Assert.Contains("| one draw | x | 7 | < 1 | **failed** |  |", page);
        Assert.DoesNotContain("### 01-gaussians-ae-vs-vae", page);  // no claims, no table

        // A run with parameters says which: another run's verdicts are read with them.
        var withSeeds = Summary();
        withSeeds["parameters"] = new JsonObject { ["seeds"] = "3", ["labelSeeds"] = "3" };
        Assert.Contains("exit code 0, parameters `-p seeds=3` `-p labelSeeds=3`; 1 of 3 claims held", ResultsPage.Render([("s.json", withSeeds)]));
    }

    [Fact]
    public void Durations_round_to_whole_seconds_before_splitting_into_minutes()
    {
        Assert.Equal("4 min 00 s", ResultsPage.Minutes(239.8));
        Assert.Equal("3 min 59 s", ResultsPage.Minutes(239.4));
        Assert.Equal("1 min 00 s", ResultsPage.Minutes(59.6));
        Assert.Equal("59 s", ResultsPage.Minutes(59.4));
        Assert.Equal("?", ResultsPage.Minutes(null));
    }

    [Fact]
    public void Bad_input_is_named_and_nothing_is_written()
    {
        var dir = Directory.CreateTempSubdirectory("vaelab-results-").FullName;
        try
        {
            var bad = Path.Combine(dir, "summary.json");
            File.WriteAllText(bad, "{ not json");
            var outFile = Path.Combine(dir, "results.md");
            var error = new StringWriter();
            Assert.Equal(2, Cli.Results([bad], outFile, new StringWriter(), error));
            Assert.Contains("not valid JSON", error.ToString());
            Assert.Equal(2, Cli.Results([Path.Combine(dir, "missing.json")], outFile, new StringWriter(), error = new StringWriter()));
            Assert.Contains("no such file", error.ToString());
            File.WriteAllText(bad, "{ \"profile\": \"default\" }");
            Assert.Equal(2, Cli.Results([bad], outFile, new StringWriter(), error = new StringWriter()));
            Assert.Contains("not a vaelab summary.json", error.ToString());
            Assert.False(File.Exists(outFile));
            File.WriteAllText(bad, Summary().ToJsonString());
            Assert.Equal(0, Cli.Results([bad], outFile, new StringWriter(), new StringWriter()));
            Assert.StartsWith("# Results", File.ReadAllText(outFile));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
