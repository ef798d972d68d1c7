using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using VaeLab.Bench;
using static TorchSharp.torch;
using VaeLab;
using VaeLab.Data;
using VaeLab.Experiments.Collapse;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Training;

// Usage: dotnet run -c Release --project tests/VaeLab.Bench -- [--quick] [--e2e] [--rss] [--json FILE] | --gc-race [SECONDS] [RUNS] [--only PREFIX]
//   --quick  shorter timings (about a minute in all)
//   --e2e    also time `./vaelab reproduce --profile smoke` (several minutes)
//   --rss    also measure the peak resident memory of notebook 02 at the default profile (trained), then
//            its re-run from the checkpoint cache
//   --gc-race [SECONDS] [RUNS] [--only PREFIX]  instead: how often TorchSharp usage patterns fail when the garbage collector runs
//            on other threads mid-call (environment.md); each pattern RUNS × SECONDS (default 3 × 40 s)
if (args.Contains("--gc-race-case")) { Environment.Exit(GcRace.Child(args)); }
if (args.Contains("--gc-race")) { Environment.Exit(GcRace.Run(args)); }
var argv = args.ToHashSet();
bool quick = argv.Contains("--quick");
string? jsonOut = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
double seconds = quick ? 1.5 : 5;

var info = Lab.Setup(seed: 0);
var rows = new List<Row>();
var samplesPerSecond = new Dictionary<string, double>();  // FlatAdam training rate of each case, for the sweep rows
void Add(Row r)
{
    rows.Add(r);
    Console.WriteLine($"  {r.Name,-28} {r.What,-26} {r.Value,12:0.###} {r.Unit,-10} {(r.TargetText ?? ""),-10} {(r.Met is null ? "" : r.Met.Value ? "met" : "NOT MET"),-8} {r.Note}");
}

Console.WriteLine($"VaeLab benchmark: {Environment.ProcessorCount} logical CPUs, {info.Threads} torch threads, malloc {info.MallocTuning}");
Console.WriteLine($"  {"case",-28} {"what",-26} {"value",12} {"unit",-10} {"target",-10} {"verdict",-8} note");

// 1. The machine's practical peak, measured in this process. The rate varies between runs (109 to 175 GFLOP/s
// measured), so it is measured three times and every efficiency below is against the fastest of them.
var rates = Enumerable.Range(0, 3).Select(_ => Harness.MatmulGflops(2048, seconds / 3)).ToArray();
double peak = rates.Max();
Add(new Row("matmul 2048×2048 fp32", "rate", peak, "GFLOP/s", Note: $"fastest of {string.Join(", ", rates.Select(r => r.ToString("0")))}: the reference for every efficiency"));
// The AAE's 1000-wide layers at batch 100: the best a step made of them can do on this machine.
double aaeShape = Harness.MatmulGflops(100, 1000, 1000, seconds);
Add(new Row("matmul 100×1000·1000×1000", "rate (AAE layer shape)", aaeShape, "GFLOP/s", Note: $"{aaeShape / peak:P0} of the 2048² rate"));

string convVaeReason = "";
static bool OneChannel(string layer) => layer.StartsWith("conv1 ") || layer.StartsWith("deconv3 ");  // 1 input or 1 output channel
double channelsLastGain = 1;
// 2. Notebook 02's conv VAE, layer by layer: each layer as the model runs it against the alternatives (channels-last,
// unfold + matmul, transposed convolutions as convolutions on dilated inputs), then the whole step at larger batches.
// Measured first: its rows are the reason printed when the conv VAE's step misses its target (section 3).
var layerEfficiency = new Dictionary<string, double>();  // the model's own way, by layer
double bestAlternative = 0; string bestAlternativeName = "";
double layersMs = 0, oneChannelMs = 0;
{
    foreach (var layer in ConvAlternatives.Layers())
    {
        double baseline = 0;
        Tensor? reference = null;
        foreach (var v in layer.Variants)
        {
            double ms = 1000 / Harness.StepsPerSecond(v.Step, seconds / 3);
            double eff = 3 * layer.ForwardFlops / (ms / 1000) / 1e9 / peak;
            string same = "";
            using (torch.no_grad())
            {
                var y = v.Forward().detach().contiguous();
                if (reference is null) reference = y;
                else same = $"; same output (max |diff| {(y - reference).abs().max().item<float>():G2})";
            }
            if (baseline == 0)
            {
                baseline = ms;
                layerEfficiency[layer.Name] = eff;
                if (!layer.Name.StartsWith("decoder"))
                {
                    layersMs += ms;
                    if (OneChannel(layer.Name)) oneChannelMs += ms;
                }
            }
            else if (baseline / ms > bestAlternative) { bestAlternative = baseline / ms; bestAlternativeName = $"{v.Name} for {layer.Name}"; }
            Add(new Row($"02 {layer.Name}", $"fwd+bwd, {v.Name}", ms, "ms",
                Note: $"{eff:P0} of matmul" + (ms == baseline ? ", batch 100" : $"; {baseline / ms:0.00}× the model's ({(ms < baseline ? "faster" : "not faster")}){same}")));
        }
    }
    // The whole step with the decoder's transposed convolutions channels-last (ConvDecoder.ChannelsLast), A and B
    // alternated three times each, the best of each kept.
    var best = new Dictionary<bool, double> { [false] = 0, [true] = 0 };
    bool channelsLastDefault = ConvDecoder.ChannelsLast;
    for (int round = 0; round < 3; round++)
        foreach (var channelsLast in new[] { false, true })
        {
            ConvDecoder.ChannelsLast = channelsLast;
            using var scope = torch.NewDisposeScope();
            var (step, _) = Cases.ConvVaeElboStep(100);
            best[channelsLast] = Math.Max(best[channelsLast], Harness.StepsPerSecond(step, seconds / 3) * 100);
        }
    ConvDecoder.ChannelsLast = channelsLastDefault;
    Add(new Row("02 conv VAE, ELBO step", "decoder channels-last: speed-up", best[true] / best[false], "×",
        Note: $"{best[false]:0} → {best[true]:0} samples/s, best of 3 alternated rounds each"));
    channelsLastGain = best[true] / best[false];
    foreach (var batch in new[] { 100, 200, 400 })
    {
        using var scope = torch.NewDisposeScope();
        var (step, flops) = Cases.ConvVaeElboStep(batch);
        double sps = Harness.StepsPerSecond(step, seconds / 2);
        Add(new Row("02 conv VAE, ELBO step", $"batch {batch}", flops * sps / 1e9 / peak * 100, "%",
            Note: $"{sps * batch:0} samples/s" + (batch == 100 ? " (the document's batch)" : "; a larger batch at an equivalent learning rate would change the training the document describes")));
    }
    var big = layerEfficiency.Where(kv => !OneChannel(kv.Key) && !kv.Key.StartsWith("decoder")).Select(kv => kv.Value).ToList();
    var ends = layerEfficiency.Where(kv => OneChannel(kv.Key)).Select(kv => kv.Value).ToList();
    convVaeReason = $"its 32- and 64-channel layers run at {big.Min():P0}–{big.Max():P0} of the matmul rate, but the one-channel ends (conv1 1→32, deconv3 32→1) at " +
        $"{ends.Min():P0}–{ends.Max():P0}, and they take {oneChannelMs / layersMs:P0} of the layers' time (rows '02 …' above); of the alternatives the best was " +
        $"{bestAlternativeName} at {bestAlternative:0.00}× its layer, and the decoder channels-last (kept: ConvDecoder.ChannelsLast) gives the whole step {channelsLastGain:0.00}×; a larger batch (rows '02 conv VAE, ELBO step') is faster but is not the document's training";
}

// 3. Each notebook model's training step at its document's batch size.
// Before and after: TorchSharp's Adam (one set of element-wise kernels per parameter tensor), then FlatAdam (one
// fused pass over flat buffers), which the trainers use. Targets apply to the FlatAdam rows.
foreach (var c in Cases.All())
{
    double before = 0;
    foreach (var flat in new[] { false, true })
    {
        Optimizers.UseFlatAdam = flat;
        using var scope = torch.NewDisposeScope();
        var (step, flops) = c.Build();
        double sps = Harness.StepsPerSecond(step, seconds);
        double gflops = flops * sps / 1e9;
        double eff = gflops / peak;
        string adam = flat ? "FlatAdam" : "TorchSharp Adam";
        Add(new Row(c.Name, $"samples/s, {adam}", sps * c.Batch, "samples/s",
            Note: $"batch {c.Batch}, {flops / 1e9:0.###} GFLOP/step" + (flat ? $"; {sps * c.Batch / before:0.00}× TorchSharp Adam's" : "")));
        double? target = flat ? c.TargetEfficiency : null;
        Add(new Row(c.Name, $"vs matmul, {adam}", eff * 100, "%", target * 100,
            target is null ? null : $"≥ {target * 100:0}%", target is null ? null : eff >= target,
            $"{gflops:0.#} GFLOP/s" + (eff < target && c.WhenMissed != null ? $"; why: {string.Format(CultureInfo.InvariantCulture, c.WhenMissed, aaeShape / peak, convVaeReason)}" : "")));
        before = sps * c.Batch;
        if (flat) samplesPerSecond[c.Name] = sps * c.Batch;
    }
}
Optimizers.UseFlatAdam = true;

// 4. Runs trained together (CollapseTrainer.TrainMany): notebook 03's and 04's β sweeps, one setting of 7 runs at
// the default profile on the notebooks' data, trained one at a time and then as one batched model, in this run.
try
{
    var sweepData = Datasets.LoadOrFallback("mnist");
    var sweepCfg = CollapseConfig.For("default").FitTo(sweepData) with { Evaluations = 6, Checkpoints = 2, Epochs = quick ? 1 : 3 };
    var betaMax = CollapseSweep.LogSpaced(1e-4, 1, 7);
    var savedCache = Environment.GetEnvironmentVariable("VAELAB_CACHE_DIR");
    var sweepCache = Directory.CreateTempSubdirectory("vaelab-bench-sweep-").FullName;
    Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", sweepCache);
    try
    {
        double SweepSeconds(bool conv, int members)
        {
            var c = sweepCfg with { BatchedMembers = members };
            var sw = Stopwatch.StartNew();
            if (conv) CollapseSweep.Run("bench", () => new CollapseConvVae(c.LatentDim, c.ConvChannels), b => new ConstantBeta(b), betaMax, sweepData, c, retrain: true);
            else CollapseSweep.Run("bench", () => new MlpVae(c.MlpHidden, c.LatentDim), b => new ConstantBeta(b), betaMax, sweepData, c, retrain: true);
            return sw.Elapsed.TotalSeconds;
        }
        foreach (var (conv, name, stepCase, batchedCase) in new[]
        {
            (true, "notebook 03 sweep, conv VAE", "conv VAE, collapse (seed 004)", "conv VAE, collapse, batched K=8"),
            (false, "notebook 04 sweep, MLP VAE", "MLP VAE (seed 004)", "MLP VAE, batched K=8"),
        })
        {
            double alone = SweepSeconds(conv, 1), together = SweepSeconds(conv, 8);
            double ratio = alone / together;
            double stepRatio = samplesPerSecond[batchedCase] / samplesPerSecond[stepCase];
            string why = $"the batched step trains {stepRatio:0.00}× the samples per second of one model (step rows above)" +
                (conv ? ": the conv VAE's step is its convolution kernels, which run no faster grouped than one by one (oneDNN), so batching saves only the per-run overhead (loop, evaluation, optimizer)"
                      : ": the MLP's 64-unit layers stay small matrix products even for 8 members (its batched row above)");
            Add(new Row($"{name} (7 runs, default{(quick ? ", 1 epoch" : "")})", "batched speed-up", ratio, "×", 4, "≥ 4×", ratio >= 4,
                $"one at a time {alone:0.0} s, batched {together:0.0} s" + (ratio < 4 ? $"; why: {why}" : "")));
        }
    }
    finally
    {
        Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", savedCache);
        Directory.Delete(sweepCache, recursive: true);
    }
}
catch (DatasetUnavailableException e)
{
    Console.WriteLine($"  β sweeps: skipped ({e.Message.Split('\n')[0]})");
}

// 4a. The bound on batching the VHE: three members' examples in one plain step against one member's step.
if (samplesPerSecond.TryGetValue(Cases.VheThreeMembersBound, out var vheThree) && samplesPerSecond.TryGetValue("VHE (seed 000)", out var vheOne))
    Add(new Row("notebook 06 seeds, VHE", "batching bound (3 members)", vheThree / vheOne, "×",
        Note: $"{vheOne:0} samples/s at batch 128, {vheThree:0} at 3×128 in one step: a batched VHE of 3 members could train at most this much faster"));

// 4b. Notebook 01's seeds (GaussiansTrainer.TrainVaes/TrainAutoencoders): its 3 seeds of each tiny network trained one
// at a time and as one batched model, on one thread as the notebook runs them, fewer epochs than the notebook's 2,000.
{
    var gCfg = VaeLab.Experiments.Gaussians.GaussiansConfig.For("default") with { Epochs = quick ? 50 : 300 };
    var gTrain = VaeLab.Experiments.Gaussians.GaussianMixture2D.Sample(gCfg.TrainExamples, gCfg.DataSeed);
    int[] gSeeds = [0, 1, 2];
    int threadsBefore = torch.get_num_threads();
    torch.set_num_threads(1);
    var savedCache = Environment.GetEnvironmentVariable("VAELAB_CACHE_DIR");
    var gCache = Directory.CreateTempSubdirectory("vaelab-bench-gaussians-").FullName;
    Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", gCache);
    try
    {
        foreach (var vae in new[] { true, false })
        {
            double Seconds(int members)
            {
                var c = gCfg with { BatchedMembers = members };
                var sw = Stopwatch.StartNew();
                if (vae) VaeLab.Experiments.Gaussians.GaussiansTrainer.TrainVaes(c, gSeeds, gTrain, retrain: true);
                else VaeLab.Experiments.Gaussians.GaussiansTrainer.TrainAutoencoders(c, gSeeds, gTrain, retrain: true);
                return sw.Elapsed.TotalSeconds;
            }
            double alone = Seconds(1), together = Seconds(3);
            Add(new Row($"notebook 01 seeds, {(vae ? "VAE" : "autoencoder")}", "batched speed-up", alone / together, "×",
                Note: $"3 seeds, {gCfg.Epochs} epochs of batch {gCfg.BatchSize}, 1 thread: one at a time {alone:0.0} s, batched {together:0.0} s"));
        }
    }
    finally
    {
        torch.set_num_threads(threadsBefore);
        Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", savedCache);
        Directory.Delete(gCache, recursive: true);
    }
}

// 5. Where the AAE's step goes. Per minibatch its optimizers update P and Q (reconstruction), D (discriminator) and Q
// (generator). Time those four updates alone, on gradients of the right shapes, with both Adams; time a plain copy of
// the same number of floats for the memory bandwidth; and compare with the step time and its matmul floor.
{
    var cfg = VaeLab.Experiments.Aae.AaeConfig.For("paper");
    Lab.Seed(0);
    var q = new VaeLab.Experiments.Aae.AaeEncoder(784, cfg.HiddenDim, cfg.LatentDim, cfg.Dropout).to(Lab.Device);
    var pDec = new VaeLab.Experiments.Aae.AaeDecoder(cfg.LatentDim, 0, cfg.HiddenDim, 784, cfg.Dropout).to(Lab.Device);
    var d = new VaeLab.Experiments.Aae.AaeDiscriminator(cfg.LatentDim, cfg.HiddenDim, cfg.Dropout).to(Lab.Device);
    long updated = 0;
    double AdamSeconds(bool flat)
    {
        Optimizers.UseFlatAdam = flat;
        var groups = new[] { pDec.parameters().ToList(), q.parameters().ToList(), d.parameters().ToList(), q.parameters().ToList() };
        var opts = groups.Select(g => Optimizers.Adam(g, 1e-4)).ToArray();
        using (torch.no_grad())
            foreach (var prm in groups.SelectMany(g => g)) prm.grad = torch.randn_like(prm) * 1e-3;
        updated = groups.Sum(g => g.Sum(prm => prm.numel()));
        double sps = Harness.StepsPerSecond(() => { foreach (var o in opts) o.step(); }, seconds);
        foreach (var prm in groups.SelectMany(g => g)) prm.grad = null;
        Optimizers.UseFlatAdam = true;
        return 1 / sps;
    }
    double torchAdam = AdamSeconds(false), flatAdam = AdamSeconds(true);
    // Memory bandwidth: a copy reads and writes each float once (8 bytes per element).
    var src = torch.randn(updated); var dst = torch.empty(updated);
    double copies = Harness.StepsPerSecond(() => dst.copy_(src), seconds);
    double gbPerS = copies * updated * 8 / 1e9;
    var aae = Cases.All().First(c => c.Name.StartsWith("AAE"));
    var (aaeStep, aaeFlops) = aae.Build();
    double stepSeconds = 1 / Harness.StepsPerSecond(aaeStep, seconds);
    double matmulFloor = aaeFlops / (aaeShape * 1e9);
    string name = "AAE step breakdown";
    Add(new Row(name, "step (FlatAdam)", stepSeconds * 1e3, "ms", Note: $"{aaeFlops / 1e9 / stepSeconds / peak:P0} of matmul"));
    Add(new Row(name, "matmul floor of its FLOPs", matmulFloor * 1e3, "ms", Note: $"{aaeFlops / 1e9:0.###} GFLOP at the AAE layer shape's {aaeShape:0} GFLOP/s"));
    Add(new Row(name, "4 Adam updates, FlatAdam", flatAdam * 1e3, "ms", Note: $"{updated / 1e6:0.0} M parameters; {flatAdam / stepSeconds:P0} of the step"));
    Add(new Row(name, "4 Adam updates, TorchSharp", torchAdam * 1e3, "ms", Note: $"{torchAdam / flatAdam:0.0}× FlatAdam's"));
    Add(new Row(name, "memory bandwidth (copy)", gbPerS, "GB/s", Note: $"FlatAdam moves 28 bytes per parameter: {updated * 28 / (gbPerS * 1e9) * 1e3:0.0} ms at this rate"));
    Add(new Row(name, "the rest", (stepSeconds - matmulFloor - flatAdam) * 1e3, "ms",
        Note: "element-wise work (dropout, ReLU, sigmoid, BCE, Adversarial logs), autograd and the layers' distance from the floor"));
    // The target with the optimizer taking no time at all: what is left is not the optimizer.
    double withoutAdam = aaeFlops / 1e9 / (stepSeconds - flatAdam) / peak;
    Add(new Row(name, "efficiency if Adam were free", withoutAdam * 100, "%", Note: "step time minus the measured FlatAdam updates"));
}

// 6. No leak: live tensors over 1,000 training steps of the smallest model stay flat.
if (Cases.All().FirstOrDefault(c => c.Name.StartsWith("MLP VAE")) is { } leakCase)
{
    var (step, _) = leakCase.Build();
    var (before, after) = Harness.LiveTensors(step, quick ? 200 : 1000);
    Add(new Row("MLP VAE", $"live tensors over {(quick ? 200 : 1000)} steps", after - before, "tensors", 0, "= 0", after - before == 0, $"{before} → {after}"));
}

if (Cases.All().FirstOrDefault(c => c.Name.StartsWith("MLP VAE, batched")) is { } batchedLeak)
{
    var (step, _) = batchedLeak.Build();
    var (before, after) = Harness.LiveTensors(step, quick ? 200 : 1000);
    Add(new Row("MLP VAE, batched K=8", $"live tensors over {(quick ? 200 : 1000)} steps", after - before, "tensors", 0, "= 0", after - before == 0, $"{before} → {after}"));
}

// 7. The data pipeline: shuffled batches of 100 from Fashion-MNIST's 60k training images.
try
{
    var data = Datasets.Load("fashion-mnist");
    var loader = new BatchLoader(data.Train, batchSize: 100, seed: 0);
    int epoch = 0;
    var sw = Stopwatch.StartNew();
    int batches = 0;
    while (sw.Elapsed.TotalSeconds < seconds)
    {
        foreach (var b in loader.Epoch(epoch++)) { using (b) batches++; if (sw.Elapsed.TotalSeconds >= seconds) break; }
    }
    Add(new Row("data pipeline", "batches/s (batch 100)", batches / sw.Elapsed.TotalSeconds, "batches/s", Note: "index_select from one tensor, reshuffled per epoch"));
}
catch (DatasetUnavailableException e)
{
    Console.WriteLine($"  data pipeline: skipped ({e.Message.Split('\n')[0]})");
}

// 8. End to end and memory (optional: they run notebooks).
string repo = DatasetSources.FindRepositoryRoot() ?? Environment.CurrentDirectory;
if (argv.Contains("--e2e"))
{
    var (secs, rc, _) = RunVaelab(repo, "reproduce --profile smoke --out artifacts/bench-smoke");
    Add(new Row("reproduce --profile smoke", "wall time", secs / 60, "min", 10, "< 10 min", rc == 0 && secs < 600, rc == 0 ? null : $"exit code {rc}"));
}
if (argv.Contains("--rss"))
{
    var nb = Directory.GetFiles(Path.Combine(repo, "notebooks"), "02-*.ipynb").FirstOrDefault();
    if (nb != null)
    {
        // Trained from scratch (retrain), then again from the checkpoint cache.
        var (secs, rc, peakKb) = RunVaelab(repo, $"run {nb} --profile default -p retrain=true --out artifacts/bench-rss");
        bool ran = RanWithoutError(Path.Combine(repo, "artifacts", "bench-rss"));
        Add(new Row("notebook 02 (default)", "peak resident memory", peakKb / 1024.0 / 1024.0, "GB", 2, "< 2 GB", ran && peakKb < 2 * 1024 * 1024,
            $"{secs:0} s{(ran ? "" : $", the notebook did not run through (exit code {rc})")}"));
        double trainCells = TrainingCellSeconds(Path.Combine(repo, "artifacts", "bench-rss", Path.GetFileName(nb)));
        var (cachedSecs, _, _) = RunVaelab(repo, $"run {nb} --profile default --out artifacts/bench-rss-cached");
        double cachedCells = TrainingCellSeconds(Path.Combine(repo, "artifacts", "bench-rss-cached", Path.GetFileName(nb)));
        double speedup = trainCells / Math.Max(cachedCells, 1e-3);
        bool cachedRan = RanWithoutError(Path.Combine(repo, "artifacts", "bench-rss-cached"));
        Add(new Row("notebook 02 (default), cached re-run", "training cells: trained ÷ loaded", speedup, "×", 20, "≥ 20×", ran && cachedRan && speedup >= 20,
            $"{trainCells:0.0} s → {cachedCells:0.00} s; whole notebook {secs:0} s → {cachedSecs:0} s ({secs / cachedSecs:0.0}×: evaluation is not cached)"));
    }
}

var report = new
{
    machine = new { logicalCpus = Environment.ProcessorCount, torchThreads = info.Threads, malloc = info.MallocTuning, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
    matmulGflops = peak,
    rows,
};
var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
Console.WriteLine(json);
if (jsonOut != null)
{
    var tmp = jsonOut + ".tmp";
    File.WriteAllText(tmp, json);
    File.Move(tmp, jsonOut, overwrite: true);
}
return rows.Any(r => r.Met == false) ? 1 : 0;

// Whether every notebook of a run folder finished without an error (a failed claim exits 1 too, and does not count).
static bool RanWithoutError(string outDir)
{
    var summary = Path.Combine(outDir, "summary.json");
    if (!File.Exists(summary)) return false;
    using var doc = JsonDocument.Parse(File.ReadAllText(summary));
    return doc.RootElement.GetProperty("notebooks").EnumerateArray().All(n => n.GetProperty("status").GetString() == "ok");
}

// Seconds spent in the cells that train (or load) the models of an executed notebook, from its execution timestamps.
static double TrainingCellSeconds(string executedNotebook)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(executedNotebook));
    double total = 0;
    foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
    {
        var source = string.Concat(cell.GetProperty("source").EnumerateArray().Select(l => l.GetString()));
        if (!source.Contains("ElboVsMmdTrainer.Train", StringComparison.Ordinal)) continue;
        var execution = cell.GetProperty("metadata").GetProperty("execution");
        var start = DateTimeOffset.Parse(execution.GetProperty("iopub.execute_input").GetString()!, CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(execution.GetProperty("shell.execute_reply").GetString()!, CultureInfo.InvariantCulture);
        total += (end - start).TotalSeconds;
    }
    return total;
}

// Runs ./vaelab with arguments; returns wall seconds, exit code and the child's peak RSS in kB (VmHWM, polled).
static (double Seconds, int ExitCode, long PeakKb) RunVaelab(string repo, string arguments)
{
    var psi = new ProcessStartInfo(Path.Combine(repo, "vaelab"), arguments) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
    var sw = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, e) => { if (e.Data != null) Console.WriteLine("    | " + e.Data); };
    p.ErrorDataReceived += (_, e) => { if (e.Data != null) Console.WriteLine("    | " + e.Data); };
    p.BeginOutputReadLine(); p.BeginErrorReadLine();
    long peakKb = 0;
    while (!p.WaitForExit(500)) peakKb = Math.Max(peakKb, TreePeakKb(p.Id));
    return (sw.Elapsed.TotalSeconds, p.ExitCode, peakKb);
}

// The largest VmHWM among a process and its descendants (the ./vaelab script execs the .NET runner).
static long TreePeakKb(int pid)
{
    long best = 0;
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:")) best = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children)) continue;
            foreach (var c in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                best = Math.Max(best, TreePeakKb(int.Parse(c, CultureInfo.InvariantCulture)));
        }
    }
    catch (IOException) { }
    catch (UnauthorizedAccessException) { }
    return best;
}
