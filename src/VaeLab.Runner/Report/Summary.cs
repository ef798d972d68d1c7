using System.Text.Json;
using System.Text.Json.Nodes;
using VaeLab.Runner.Notebooks;
using VaeLab.Reporting;

namespace VaeLab.Runner;

/// <summary>summary.json: one entry per notebook with status, duration, error, parameters, datasets, warnings, metrics and claims.</summary>
public static class Summary
{
    public static string StatusName(NotebookStatus s) => s switch
    {
        NotebookStatus.Ok => "ok",
        NotebookStatus.Error => "error",
        NotebookStatus.Timeout => "timeout",
        NotebookStatus.Interrupted => "interrupted",
        _ => "not-run",
    };

    public static string VerdictName(Verdict v) => VaeLab.Reporting.Pages.NotebookPageHtml.VerdictName(v);

    /// <summary>
    /// 0 when every notebook ran without error (a claim that does not hold is a finding about its document, reported,
    /// not a failed run); with --strict, also 1 when a judged claim failed; 130 after Ctrl+C; else 1.
    /// </summary>
    public static int ExitCode(IReadOnlyList<NotebookResult> results, RunOptions options, bool interrupted)
    {
        if (interrupted) return 130;
        if (results.Any(r => r.Status != NotebookStatus.Ok)) return 1;
        if (options.Strict && options.JudgeClaims && results.Any(r => !r.ClaimsHeld)) return 1;
        return 0;
    }

    /// <summary>"12 of 15 claims held" (or "recorded, not judged" under smoke).</summary>
    public static string ClaimsLine(IReadOnlyCollection<RunClaim> claims)
    {
        int judged = claims.Count(c => c.Verdict != Verdict.NotJudged), held = claims.Count(c => c.Verdict == Verdict.Passed);
        return VaeLab.Reporting.Pages.NotebookPageHtml.ClaimsLine(claims.Count, judged, held, claims.Count(c => c.Verdict == Verdict.Mixed));
    }

    /// <summary>The repository's commit (with "+changes" when the work tree differs from it), or null outside git.</summary>
    public static string? GitCommit()
    {
        static string? Git(string args)
        {
            try
            {
                using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", args)
                    { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
                if (p == null) return null;
                var text = p.StandardOutput.ReadToEnd();
                return p.WaitForExit(5000) && p.ExitCode == 0 ? text.Trim() : null;
            }
            catch (System.ComponentModel.Win32Exception) { return null; }  // no git
        }
        var head = Git("rev-parse HEAD");
        if (head == null) return null;
        return Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? head + "+changes" : head;
    }

    public static JsonObject Build(IReadOnlyList<NotebookResult> results, IReadOnlyList<ReportFiles> files, RunOptions options, DateTimeOffset started,
        TimeSpan duration, int exitCode,
        string? commit = null)
    {
        var notebooks = new JsonArray();
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            notebooks.Add(new JsonObject
            {
                ["notebook"] = Path.GetRelativePath(Directory.GetCurrentDirectory(), r.Notebook.Path),
                ["executed"] = r.Status == NotebookStatus.NotRun ? null : Path.GetFileName(files[i].Notebook),
                ["html"] = r.Status == NotebookStatus.NotRun ? null : Path.GetFileName(files[i].Html),
                ["status"] = StatusName(r.Status),
                ["duration_s"] = Math.Round(r.Duration.TotalSeconds, 3),
                ["peak_rss_bytes"] = r.PeakResidentBytes,
                ["error"] = r.Failure == null ? null : new JsonObject
                {
                    ["cell"] = r.Failure.Cell,
                    ["execution_count"] = r.Failure.ExecutionCount,
                    ["cell_id"] = r.Failure.CellId,
                    ["ename"] = r.Failure.EName,
                    ["message"] = r.Failure.Message,
                },
                ["parameters"] = r.Notebook.Parameters.DeepClone(),
                ["datasets"] = new JsonArray(r.Datasets.Select(d => (JsonNode?)new JsonObject { ["requested"] = d.Requested, ["used"] = d.Used,
                    ["source"] = d.Source }).ToArray()),
                ["warnings"] = new JsonArray(r.Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
                ["metrics"] = new JsonArray(r.Metrics.Select(m => (JsonNode?)new JsonObject { ["name"] = m.Name, ["value"] = Number(m.Value),
                    ["unit"] = m.Unit, ["note"] = m.Note }).ToArray()),
                ["claims"] = new JsonArray(r.Claims.Select(c => (JsonNode?)new JsonObject
                {
                    ["statement"] = c.Statement,
                    ["measure"] = c.Measure,
                    ["measured"] = Number(c.Measured),
                    ["bound"] = c.Bound,
                    ["verdict"] = VerdictName(c.Verdict),
                    ["note"] = c.Note,
                    ["seeds"] = c.Seeds is { } seeds
                        ? new JsonArray(seeds.Select(x => (JsonNode?)new JsonObject { ["seed"] = x.Seed, ["measured"] = Number(x.Measured),
                            ["verdict"] = VerdictName(x.Verdict) }).ToArray())
                        : null,
                }).ToArray()),
            });
        }
        return new JsonObject
        {
            ["runner"] = "vaelab " + typeof(Summary).Assembly.GetName().Version,
            ["commit"] = commit ?? GitCommit(),
            ["profile"] = options.Profile,
            ["claims_judged"] = options.JudgeClaims,
            ["strict"] = options.Strict,
            ["claims"] = ClaimsLine(results.SelectMany(r => r.Claims).ToList()),
            ["parameters"] = new JsonObject(options.Parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)JsonValue.Create(p.Raw)))),
            ["started"] = started.ToString("o"),
            ["duration_s"] = Math.Round(duration.TotalSeconds, 3),
            ["exit_code"] = exitCode,
            ["notebooks"] = notebooks,
        };
    }

    static JsonNode? Number(double x) => double.IsFinite(x) ? JsonValue.Create(x)
        : JsonValue.Create(x.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string ToJson(JsonObject summary) =>
        summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}

/// <summary>Where one notebook's executed copy and HTML page go.</summary>
public sealed record ReportFiles(string Notebook, string Html);
