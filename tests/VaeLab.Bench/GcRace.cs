using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Bench;

/// <summary>
/// <c>--gc-race [SECONDS] [RUNS] [--only PREFIX]</c>: how often each TorchSharp usage pattern fails when collections start on other
/// threads mid-call (environment.md, "TorchSharp and the garbage collector"). Each run is a child process (a crash
/// kills only it) that loops one pattern for SECONDS while two threads allocate without pause.
/// </summary>
public static class GcRace
{
    /// <summary>The patterns: name, what it does, and one iteration.</summary>
    static readonly (string Name, string What, Func<Action> Make)[] Cases =
    {
        ("torchsharp-adam", "a small MLP trained with TorchSharp's optim.Adam", () => Mlp(p => optim.Adam(p, 1e-3))),
        ("flat-adam", "the same with FlatAdam (fused CPU pass)", () => Mlp(p => new FlatAdam(p, 1e-3))),
        ("flat-adam-torch-ops", "the same with FlatAdam's torch-operations path (the GPU path)", () => Mlp(p => new FlatAdam(p, 1e-3) { UseTorchOps = true })),
        ("loss-scalars", "Gaussian KL, log-density, reparameterisation and MMD (bare numbers inside)", () => () =>
        {
            using var scope = torch.NewDisposeScope();
            var mean = torch.randn(64, 8);
            var logVar = torch.randn(64, 8) * 0.1;
            var z = Gaussian.Reparameterize(mean, logVar);
            (Gaussian.KlToStandardNormal(mean, logVar).sum() + Gaussian.LogStandardNormal(z).sum() + Mmd.ToNormal(z)).item<float>();
        }),
        ("bare-scalars", "t > 0, t.clamp_min(1e-12), t + 0.5", () => () =>
        {
            using var scope = torch.NewDisposeScope();
            var t = torch.randn(100, 1);
            _ = t > 0; _ = t.clamp_min(1e-12); _ = t + 0.5;
        }),
        ("rng-torchsharp", "save, seed, restore the generator with torch.get_rng_state/set_rng_state, randperm results left to the finalizer", () => () =>
        {
            using var saved = torch.get_rng_state();
            torch.manual_seed(1);
            using (var g = new torch.Generator(7)) torch.randperm(200, generator: g);  // left to the finalizer
            torch.set_rng_state(saved);
        }),
        ("rng-lab", "the same with Lab.SaveRng/Lab.RestoreRng", () => () =>
        {
            using var saved = Lab.SaveRng();
            torch.manual_seed(1);
            using (var g = new torch.Generator(7)) torch.randperm(200, generator: g);
            Lab.RestoreRng(saved);
        }),
        ("two-sample-dropped", "train and evaluate a net in one scope, its net and FlatAdam left to the finalizer", () => () => TwoSample(dispose: false)),
        ("two-sample-disposed", "the same, disposing them", () => () => TwoSample(dispose: true)),
        ("two-sample-test", "ClassifierTwoSampleTest.Run (the AAE notebook's test)", () => () =>
        {
            using var scope = torch.NewDisposeScope();
            ClassifierTwoSampleTest.Run(torch.randn(200, 4), torch.randn(200, 4) + 0.5, seed: 1, hidden: 16, steps: 50, learningRate: 1e-2);
        }),
    };

    static Action Mlp(Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> optimizer)
    {
        var x = torch.randn(64, 8);
        var y = torch.rand(64, 1).round();
        var net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1));
        var opt = optimizer(net.parameters());
        return () =>
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            nn.functional.binary_cross_entropy_with_logits(net.call(x), y).backward();
            opt.step();
        };
    }

    // The shape of the two-sample test: everything inside one scope, the last use of the net an evaluation.
    static void TwoSample(bool dispose)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(200, 4);
        var y = torch.rand(200, 1).round();
        var net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1));
        var opt = new FlatAdam(net.parameters(), 1e-2);
        for (int s = 0; s < 50; s++)
        {
            using var step = torch.NewDisposeScope();
            opt.zero_grad();
            nn.functional.binary_cross_entropy_with_logits(net.call(x), y).backward();
            opt.step();
        }
        using (torch.no_grad()) net.call(x).mean().item<float>();
        if (dispose) { opt.Dispose(); net.Dispose(); }
    }

    /// <summary>The parent: every case RUNS times, one child process each; prints a table. Returns the exit code.</summary>
    public static int Run(string[] args)
    {
        var numbers = args.SkipWhile(a => a != "--gc-race").Skip(1).TakeWhile(a => !a.StartsWith("--")).ToArray();
        int seconds = 40, runs = 3;
        if ((numbers.Length > 0 && !int.TryParse(numbers[0], out seconds)) || (numbers.Length > 1 && !int.TryParse(numbers[1], out runs))
            || seconds < 1 || runs < 1 || numbers.Length > 2)
        {
            Console.Error.WriteLine($"--gc-race [SECONDS] [RUNS]: whole numbers of at least 1 (default 40 and 3); got '{string.Join(" ", numbers)}'.");
            return 2;
        }
        string self = Environment.ProcessPath!, dll = typeof(GcRace).Assembly.Location;
        Console.WriteLine($"TorchSharp and the garbage collector: each pattern {runs} × {seconds} s, two threads allocating meanwhile");
        Console.WriteLine($"  {"case",-22} {"failed",-8} {"crashed",-8} {"clean",-6} what (first error)");
        string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        var cases = Cases.Where(c => only is null || c.Name.StartsWith(only, StringComparison.Ordinal)).ToArray();
        if (cases.Length == 0)
        {
            Console.Error.WriteLine($"--only {only}: no case starts with that; the cases are {string.Join(", ", Cases.Select(c => c.Name))}.");
            return 2;
        }
        foreach (var (name, what, _) in cases)
        {
            int failed = 0, crashed = 0, clean = 0;
            string? firstError = null;
            for (int r = 0; r < runs; r++)
            {
                var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
                if (!self.EndsWith(Path.GetFileNameWithoutExtension(dll))) psi.ArgumentList.Add(dll);  // `dotnet bench.dll`
                foreach (var a in new[] { "--gc-race-case", name, seconds.ToString() }) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode == 0) clean++;
                else if (p.ExitCode == 3) { failed++; firstError ??= output.Trim(); }
                else { crashed++; firstError ??= $"exit code {p.ExitCode}"; }
                _ = err.Result;
            }
            Console.WriteLine($"  {name,-22} {failed,-8} {crashed,-8} {clean,-6} {what}{(firstError is null ? "" : $" ({firstError})")}");
        }
        return 0;
    }

    /// <summary>The child: loops one case; exit 0 if it ran clean, 3 with the error's first line if it threw.</summary>
    public static int Child(string[] args)
    {
        var rest = args.SkipWhile(a => a != "--gc-race-case").Skip(1).ToArray();
        var (name, _, make) = Cases.Single(c => c.Name == rest[0]);
        double seconds = double.Parse(rest[1]);
        Lab.Setup(seed: 0, threads: 1);
        var stop = false;
        var allocators = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            object? keep = null;
            while (!Volatile.Read(ref stop)) keep = new byte[256];
            GC.KeepAlive(keep);
        }) { IsBackground = true }).ToList();
        allocators.ForEach(t => t.Start());
        var iteration = make();
        var clock = Stopwatch.StartNew();
        long done = 0;
        try
        {
            while (clock.Elapsed.TotalSeconds < seconds) { iteration(); done++; }
        }
        catch (Exception e)
        {
            Console.WriteLine($"{e.Message.Split('\n')[0].Trim()} after {clock.Elapsed.TotalSeconds:0.0} s, {done} iterations");
            return 3;
        }
        finally { Volatile.Write(ref stop, true); }
        return 0;
    }
}
