using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Bench;

/// <summary>One measured row of the benchmark.</summary>
public sealed record Row(string Name, string What, double Value, string Unit, double? Target = null, string? TargetText = null, bool? Met = null, string? Note = null);

/// <summary>A model's training step at the document's batch size.</summary>
/// <param name="WhenMissed">What the benchmark prints when the target is missed: the measured reason.</param>
public sealed record ModelCase(string Name, int Batch, double? TargetEfficiency, Func<(Action Step, double FlopsPerStep)> Build, string? WhenMissed = null);

public static class Harness
{
    /// <summary>fp32 matmul rate on n×n matrices: the machine's practical peak for dense kernels.</summary>
    public static double MatmulGflops(int n = 2048, double seconds = 3)
    {
        var a = torch.randn(n, n);
        var b = torch.randn(n, n);
        for (int i = 0; i < 3; i++) using (torch.NewDisposeScope()) a.matmul(b);
        var (reps, elapsed) = Repeat(() => { using var _ = torch.NewDisposeScope(); a.matmul(b).sum().item<float>(); }, seconds);
        return 2.0 * n * n * (double)n * reps / elapsed / 1e9;
    }

    /// <summary>fp32 rate of an (m×k)·(k×n) product: the ceiling for a layer of that shape.</summary>
    public static double MatmulGflops(int m, int k, int n, double seconds)
    {
        var a = torch.randn(m, k);
        var b = torch.randn(k, n);
        for (int i = 0; i < 5; i++) using (torch.NewDisposeScope()) a.matmul(b);
        var (reps, elapsed) = Repeat(() => { using var _ = torch.NewDisposeScope(); a.matmul(b).sum().item<float>(); }, seconds);
        return 2.0 * m * k * (double)n * reps / elapsed / 1e9;
    }

    /// <summary>Runs <paramref name="action"/> repeatedly for about <paramref name="seconds"/>; returns (count, seconds).</summary>
    public static (int Count, double Seconds) Repeat(Action action, double seconds, int minCount = 3)
    {
        var sw = Stopwatch.StartNew();
        int count = 0;
        while (count < minCount || sw.Elapsed.TotalSeconds < seconds)
        {
            action();
            count++;
        }
        return (count, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Steps per second after a warm-up.</summary>
    public static double StepsPerSecond(Action step, double seconds, int warmup = 5)
    {
        for (int i = 0; i < warmup; i++) step();
        var (n, t) = Repeat(step, seconds);
        return n / t;
    }

    /// <summary>Live tensors (this thread) before and after <paramref name="steps"/> steps: flat means no leak.</summary>
    public static (long Before, long After) LiveTensors(Action step, int steps)
    {
        for (int i = 0; i < 10; i++) step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < steps; i++) step();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        return (before, after);
    }
}
