using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Experiments.Collapse;
using VaeLab.Training;
using VaeLab.Tests.Training;

namespace VaeLab.Tests.Experiments.Collapse;

public class CollapseSweepTests
{
    [Fact]
    public void LogSpacedValuesAreEvenInLogAndEndExactly()
    {
        var b = CollapseSweep.LogSpaced(1e-4, 1, 7);
        Assert.Equal(7, b.Length);
        for (int i = 0; i < 7; i++) Assert.Equal(Math.Pow(10, -4 + 4.0 * i / 6), b[i], 12);
        Assert.Equal(1.0, b[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => CollapseSweep.LogSpaced(0, 1, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => CollapseSweep.LogSpaced(1e-4, 1, 1));
    }

    [Fact]
    public void LargestBetaKeepingCodeIsTheTopOfTheRunsWithAnActiveUnit()
    {
        SweepPoint P(double beta, int au, string? stopped = null) =>
            new("s", CollapseObjective.DocumentMse, beta, 1, au, 0, 0, 0, false, Stopped: stopped);
        Assert.Equal(0.01, CollapseSweep.LargestBetaKeepingCode(new[] { P(1e-4, 10), P(0.01, 2), P(0.05, 0), P(1, 0) }));
        // A code above a collapsed β still counts (the largest, not the first gap); a stopped run keeps none.
        Assert.Equal(0.5, CollapseSweep.LargestBetaKeepingCode(new[] { P(0.1, 0), P(0.5, 1), P(1, 3, stopped: "NaN") }));
        Assert.True(double.IsNaN(CollapseSweep.LargestBetaKeepingCode(new[] { P(0.1, 0), P(1, 0) })));
        Assert.True(double.IsNaN(CollapseSweep.LargestBetaKeepingCode(Array.Empty<SweepPoint>())));
    }

    static DatasetSplits Tiny(int n)
    {
        var g = new torch.Generator(11);
        var train = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        var test = new ImageDataset("tiny", torch.rand(n, 1, 28, 28, generator: g), torch.zeros(n, dtype: ScalarType.Int64), new[] { "only" });
        return new DatasetSplits(train, test, "tiny", "tiny", "test");
    }

    [Fact]
    public void EachPointIsTheEndOfTheCachedRunAtItsBeta()
    {
        using var cache = new TempCheckpointCache();
        var cfg = CollapseConfig.For("smoke") with { Epochs = 2, TrainExamples = 32, BatchSize = 16, TestBatch = 16, Evaluations = 4, Checkpoints = 2, ShownImages = 2, LatentDim = 3 };
        var data = Tiny(32);
        var betas = new[] { 1e-3, 1.0 };
        var points = CollapseSweep.Run("(c) annealed", () => new MlpVae(new[] { 8 }, cfg.LatentDim), b => new DelayedLinearBeta(0.2, 0.4, b), betas, data, cfg);
        Assert.Equal(betas, points.Select(p => p.BetaMax));
        Assert.All(points, p => Assert.Equal(CollapseObjective.DocumentMse, p.Objective));
        for (int i = 0; i < betas.Length; i++)
        {
            // The same run trained directly is the sweep's cache entry, and ends where the point says.
            var run = CollapseTrainer.Train("direct", () => new MlpVae(new[] { 8 }, cfg.LatentDim), new DelayedLinearBeta(0.2, 0.4, betas[i]), data, cfg);
            Assert.True(run.FromCache);
            Assert.Equal(run.Final.Kl, points[i].FinalKl);
            Assert.Equal(run.Final.ActiveUnits, points[i].ActiveUnits);
            Assert.Equal(run.Final.MeanRange, points[i].MeanRange);
            Assert.Equal(run.Final.MeanStd, points[i].MeanStd);
            Assert.Equal(run.Snapshots.Where(s => s.Step > 0 && s.Step <= run.TotalSteps / 2).Min(s => s.Kl), points[i].MinKlFirstHalf);
            Assert.Equal(points[i].MinKlFirstHalf, run.FirstHalfDip.Kl);
            Assert.InRange(run.FirstHalfDip.Step, 1, run.TotalSteps / 2);  // step 0 (the untrained encoder) is no dip
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => CollapseSweep.Run("x", () => new MlpVae(new[] { 8 }, 3), b => new ConstantBeta(b), new[] { -1.0 }, data, cfg));
    }

    [Fact]
    public void PixelCovarianceEigenvaluesAndThePredictionAgainstAHandComputedCase()
    {
        // Four images, zero except pixels 0 and 1 = (±a, ±b) in all four sign patterns, plus a constant 0.5 elsewhere:
        // the population covariance is diag(a², b², 0, …), so the eigenvalues are a², b² and zeros.
        float a = 0.4f, b = 0.2f;
        var images = torch.full(new long[] { 4, 1, 28, 28 }, 0.5f);
        var flat = images.view(4, 784);
        var signs = new[] { (1, 1), (1, -1), (-1, 1), (-1, -1) };
        for (int i = 0; i < 4; i++) { flat[i, 0] = torch.tensor(0.5f + signs[i].Item1 * a); flat[i, 1] = torch.tensor(0.5f + signs[i].Item2 * b); }
        var set = new ImageDataset("four", images, torch.zeros(4, dtype: ScalarType.Int64), new[] { "only" });
        var eig = CollapseSweep.PixelCovarianceEigenvalues(set);
        Assert.Equal(784, eig.Length);
        Assert.Equal(a * a, eig[0], 6);
        Assert.Equal(b * b, eig[1], 6);
        Assert.Equal(0, eig[2], 6);
        // β* = λ₁ / 392; at β between λ₂/392 and λ₁/392 one unit survives, below λ₂/392 two.
        Assert.Equal(a * a / 392, CollapseSweep.PredictedThreshold(eig), 9);
        Assert.Equal(1, CollapseSweep.PredictedActiveUnits(eig, (a * a + b * b) / 2 / 392, latentDim: 10));
        Assert.Equal(2, CollapseSweep.PredictedActiveUnits(eig, b * b / 2 / 392, latentDim: 10));
        Assert.Equal(1, CollapseSweep.PredictedActiveUnits(eig, b * b / 2 / 392, latentDim: 1));
        Assert.Equal(0, CollapseSweep.PredictedActiveUnits(eig, a * a / 392 * 2, latentDim: 10));
    }

    [Fact]
    public void TheSweepFigureHasOneLinePerSettingAndThePredictedThreshold()
    {
        var sweep = new[]
        {
            new SweepPoint("b", CollapseObjective.DocumentMse, 1e-3, 5, 10, 1, 0.05, 0.07, false),
            new SweepPoint("b", CollapseObjective.DocumentMse, 1e-1, 0, 0, 0, 0.07, 0.0, false),
            new SweepPoint("c", CollapseObjective.DocumentMse, 1e-3, 6, 9, 1, 0.05, 0.07, false),
        };
        var json = CollapsePlots.Sweep(sweep, 0.0136, 10, "t").ToJson();
        // Two panels × (two settings + the threshold line).
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(json, "\"type\":\"scatter\"").Count);
        Assert.Contains("\"name\":\"predicted", json);
        Assert.Contains("0.0136", json);
        // One legend: three entries shown, the second panel's three hidden.
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(json, "\"showlegend\":true").Count);
    }

    [Fact]
    public void TheQualityFigureHasOneLinePerSettingTheReferenceAndTheThreshold()
    {
        var sweep = new[]
        {
            new SweepPoint("b", CollapseObjective.DocumentMse, 1e-3, 5, 10, 1, 0.05, 0.07, false, Quality: new EndQuality(0.61, 0.9)),
            new SweepPoint("b", CollapseObjective.DocumentMse, 1e-1, 0, 0, 0, 0.07, 0.0, false, Quality: new EndQuality(0.2, 0.1)),
            new SweepPoint("c", CollapseObjective.DocumentMse, 1e-3, 6, 9, 1, 0.05, 0.07, false, Quality: new EndQuality(0.7, 0.8)),
            new SweepPoint("c", CollapseObjective.DocumentMse, 1e-1, double.NaN, 0, double.NaN, double.NaN, double.NaN, false, Stopped: "NaN"),
        };
        var json = CollapsePlots.SweepQuality(sweep, new EndQuality(0.43, 1.7), "(a)", 0.0136, "t").ToJson();
        // Two panels × (two settings + the reference + the threshold line); the stopped point is left out.
        Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(json, "\"type\":\"scatter\"").Count);
        Assert.Contains("0.61", json);
        Assert.Contains("1.7", json);
        Assert.Contains("\"name\":\"(a)\"", json);
        Assert.DoesNotContain("NaN", json);
        Assert.Throws<ArgumentException>(() => CollapsePlots.SweepQuality(new[] { sweep[3] }, new EndQuality(0, 0), "(a)", 0.01, "t"));
    }

    static CollapseRun Run(string name, params (int Step, double Kl)[] points)
    {
        var bands = new LatentBands([0.0], [0.0], [1.0], [1.0]);
        var snapshots = points.Select(p => new LatentSnapshot(p.Step, 1, p.Kl, 0.05, p.Kl > 0.01 ? 1 : 0, p.Kl / 2, 1, bands)).ToList();
        return new CollapseRun(name, new History(), "MLP", 10, new ConstantBeta(1), points[^1].Step, snapshots, [], []);
    }

    [Fact]
    public void TheDiagnosticsFigureShowsEachRunOnceInThreePanels()
    {
        var json = CollapsePlots.Diagnostics([Run("a", (0, 1.0), (10, 0.5)), Run("b", (0, 2.0), (10, 0.0))]).ToJson();
        // Three panels × two runs; the legend lists each run once.
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(json, "\"type\":\"scatter\"").Count);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(json, "\"showlegend\":true").Count);
        Assert.Contains("\"type\":\"log\"", json);  // KL on a log axis: a zero KL is drawn at 1e-6, not dropped
        Assert.Contains("1E-06", json.ToUpperInvariant());
    }
}
