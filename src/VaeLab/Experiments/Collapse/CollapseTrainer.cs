using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Losses;
using VaeLab.Metrics;
using VaeLab.Nn;
using VaeLab.Training;

namespace VaeLab.Experiments.Collapse;

/// <summary>Encoder statistics on the fixed test batch at one step of training (KL and MI in nats, reconstruction in
/// the objective's units: per-pixel MSE for the document's loss; MeanStd the average posterior standard deviation).</summary>
public sealed record LatentSnapshot(int Step, double Beta, double Kl, double Reconstruction, int ActiveUnits, double MutualInformation, double MeanStd,
    LatentBands Bands)
{
    /// <summary>Width of the mean band (max − min over the batch), averaged over latent dimensions.</summary>
    public double MeanRange => Bands.MeanMax.Zip(Bands.MeanMin, (hi, lo) => hi - lo).Average();
}

/// <summary>Images at one step: reconstructions of the fixed training images and decodings of fixed prior draws
/// (probabilities in [0,1], row-major n×784 on the CPU).</summary>
public sealed record ImageCheckpoint(int Step, float[] Reconstructions, float[] Samples, int Count)
{
    public Tensor ReconstructionImages() => torch.tensor(Reconstructions).reshape(Count, 1, 28, 28);
    public Tensor SampleImages() => torch.tensor(Samples).reshape(Count, 1, 28, 28);

    /// <summary>
    /// How much the decoded prior draws differ: each pixel's standard deviation across the samples (population, in
    /// [0, 1] pixel units), averaged over pixels. 0 when every draw decodes to the same image ("the same image every
    /// time"); NaN for fewer than two samples.
    /// </summary>
    public double SampleSpread()
    {
        if (Count < 2) return double.NaN;
        int pixels = Samples.Length / Count;
        double total = 0;
        for (int p = 0; p < pixels; p++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < Count; i++) { double v = Samples[i * pixels + p]; mean += v; square += v * v; }
            mean /= Count;
            total += Math.Sqrt(Math.Max(0, square / Count - mean * mean));
        }
        return total / pixels;
    }
}

/// <summary>One run of a batch trained by <see cref="CollapseTrainer.TrainMany"/>: its name, β schedule and seed
/// (initial weights, batch order and noise); everything else is the batch's shared <see cref="CollapseConfig"/>.</summary>
public sealed record CollapseMember(string Name, BetaSchedule Schedule, int Seed);

/// <summary>One training run: per-step training terms (History steps "loss", "recon", "kl", "beta"),
/// evaluations on the test batch, image checkpoints, and the fixed training images.</summary>
public sealed record CollapseRun(string Name, History History, string Model, long Parameters, BetaSchedule Schedule, int TotalSteps,
    IReadOnlyList<LatentSnapshot> Snapshots, IReadOnlyList<ImageCheckpoint> Checkpoints, float[] Originals)
    : TrainingRun(Name, History)
{
    public LatentSnapshot Final => Snapshots[^1];
    /// <summary>The objective trained; its units are those of every reconstruction the run recorded.</summary>
    public CollapseObjective Objective { get; init; } = CollapseObjective.DocumentMse;
    /// <summary>Why the run stopped early (a loss term became NaN or infinite), or null: it ran to the end. Its
    /// records end at the last evaluation before that step.</summary>
    public NonFiniteLossException? Diverged { get; init; }
    /// <summary>What the final model generates and reconstructs; null for a run that stopped early.</summary>
    public EndQuality? Quality { get; init; }
    /// <summary>
    /// The evaluation with the smallest KL in the first half of training after step 0 (the document's "dip"); the
    /// untrained encoder's posterior sits near the prior, so its small step-0 KL is no dip. Without an evaluation in
    /// that range, the final one.
    /// </summary>
    public LatentSnapshot FirstHalfDip => Snapshots.Where(s => s.Step > 0 && s.Step <= TotalSteps / 2).DefaultIfEmpty(Snapshots[^1]).MinBy(s => s.Kl)!;
    public Tensor OriginalImages() => torch.tensor(Originals).reshape(-1, 1, 28, 28);
    public override string ToString() =>
        $"{Name} ({Model}, {Parameters:N0} parameters, {Schedule.Describe()}): {TotalSteps} steps in {Seconds:0.0} " +
            $"s{(FromCache ? " (loaded from the checkpoint cache)" : "")}; " +
        (Diverged is { } e ? $"STOPPED at step {e.Step} of {TotalSteps}: loss term '{e.Term}' not finite; last evaluation at step {Final.Step}: " : "") +
        $"final KL {Final.Kl:0.####} nats, recon {Final.Reconstruction:0.#####}, AU {Final.ActiveUnits}/{Final.Bands.MeanMin.Length}, MI " +
            $"{Final.MutualInformation:0.###} nats";
}

public static class CollapseRuns
{
    /// <summary>
    /// <paramref name="runs"/> when every one ran to the end; otherwise throws one <see cref="NonFiniteLossException"/>
    /// naming each run that stopped (the others are trained and cached, so running the cell again trains only those).
    /// </summary>
    public static IReadOnlyList<CollapseRun> Completed(this IReadOnlyList<CollapseRun> runs)
    {
        MemberTraining.ThrowIfAnyDiverged(runs.Select(r => (r.Name, r.Diverged)));
        return runs;
    }
}

/// <summary>
/// Trains a Gaussian VAE with the document's loss (<see cref="MseKl"/>: per-pixel mean squared error + β · summed KL,
/// or with <see cref="CollapseConfig.Objective"/> = BernoulliElbo the standard ELBO's scaling, <see cref="BernoulliKl"/>)
/// under a β schedule, through <see cref="TrainLoop.Run"/>, recording the collapse diagnostics along the way.
/// </summary>
public static class CollapseTrainer
{
    /// <summary>
    /// R₀: the per-pixel MSE of the best reconstruction that ignores z, the mean image of <paramref name="train"/>.
    /// At β = 1 with the document's loss, a code whose KL exceeds R₀ nats costs more than it can save.
    /// </summary>
    public static double MeanImageMse(ImageDataset train) => train.Images.var(0, unbiased: false).mean().item<float>();

    /// <summary>
    /// logit(m) for the mean pixel value m of <paramref name="images"/>: an output bias that makes an untrained decoder
    /// emit a flat image at the data's mean level instead of sigmoid(0) = 0.5. From 0.5 the quickest way down for the
    /// document's MSE is to push every logit far negative (MNIST is mostly black); at β = 0 the encoder helps by growing
    /// z without bound, the logits saturate where the sigmoid's gradient vanishes, and training stops (notebook 03).
    /// </summary>
    public static double MeanPixelLogit(Tensor images)
    {
        double m = Math.Clamp(images.mean().item<float>(), 1e-4, 1 - 1e-4);
        return Math.Log(m / (1 - m));
    }

    /// <param name="name">Run name (progress, legends).</param>
    /// <param name="makeModel">Builds the model; called after re-seeding so every run starts from the same init.</param>
    /// <param name="schedule">β over the run.</param>
    /// <param name="data">Train and test images (N×1×28×28 in [0,1]).</param>
    /// <param name="cfg">Hyperparameters.</param>
    /// <param name="retrain">true: train even when the checkpoint cache holds this run.</param>
    /// <exception cref="NonFiniteLossException">A loss term became NaN or infinite.</exception>
    public static CollapseRun Train<TModel>(string name, Func<TModel> makeModel, BetaSchedule schedule, DatasetSplits data, CollapseConfig cfg,
        bool retrain = false)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        var run = TrainMany(makeModel, [new CollapseMember(name, schedule, cfg.Seed)], data, cfg, retrain)[0];
        return run.Diverged is { } e ? throw e : run;
    }

    /// <summary>
    /// Trains several runs of one model architecture that differ only in their β schedule and seed, and returns them
    /// in order. Runs the checkpoint cache holds are loaded; the others train together, up to
    /// <see cref="CollapseConfig.BatchedMembers"/> at a time, as one batched model (<see cref="VaeMembers.Batched"/>:
    /// one forward and backward pass and one optimizer step for all). Each member keeps its own initial weights,
    /// batch order and noise (from its seed), β, history, evaluations and cache entry, the same entry
    /// <see cref="Train{TModel}"/> writes for it alone. A member whose loss becomes NaN or infinite stops alone: its
    /// run comes back with <see cref="CollapseRun.Diverged"/> set and is not cached.
    /// </summary>
    /// <param name="makeModel">Builds one plain model; called once per member after seeding with the member's seed.</param>
    /// <param name="members">The runs: name, β schedule and seed each.</param>
    public static IReadOnlyList<CollapseRun> TrainMany<TModel>(Func<TModel> makeModel, IReadOnlyList<CollapseMember> members, DatasetSplits data,
        CollapseConfig cfg, bool retrain = false)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        cfg.Validate();
        if (members.Count == 0) return [];
        if (cfg.TrainExamples > data.Train.Count)
            throw new ArgumentException($"TrainExamples {cfg.TrainExamples} exceeds the {data.Train.Count} training images of {data.Used}; lower it.",
                nameof(cfg));
        if (cfg.TestBatch > data.Test.Count || cfg.TestBatch < 2)
            throw new ArgumentException($"TestBatch {cfg.TestBatch} must be in [2, {data.Test.Count}] (the test images of {data.Used}).", nameof(cfg));

        var train = data.Train.Take(cfg.TrainExamples).Images;
        var test = data.Test.Take(cfg.TestBatch).Images;
        var shown = data.Train.Take(cfg.ShownImages).Images;
        var references = data.Train.Take(Math.Min(cfg.QualityReferences, cfg.TrainExamples));  // real digits that judge the samples
        double biasLogit = MeanPixelLogit(train);
        var runs = new CollapseRun[members.Count];
        var pending = new List<Pending<TModel>>();
        string lastKey = "";
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var memberCfg = cfg with { Seed = m.Seed };
            Lab.Seed(m.Seed);
            var model = makeModel();
            if (cfg.OutputBiasAtMeanPixel) model.SetOutputBias(biasLogit);
            model.to(Lab.Device);
            var key = new { Config = memberCfg, Model = model.GetType().FullName, ScheduleType = m.Schedule.GetType().Name, Schedule = (object)m.Schedule };
            var entry = CheckpointCache.Entry(Cache.For(model.GetType().Name), key, [train, test, shown], [model]);
            lastKey = entry.Key;
            var p = new Pending<TModel>(i, m, model, entry);
            if (!retrain && CheckpointCache.TryLoad<CollapseFit>(entry, [model], out var fit)) runs[i] = p.Run(fit, cfg, fromCache: true);
            else pending.Add(p);
        }
        foreach (var chunk in pending.Chunk(cfg.BatchedMembers))
        {
            var net = chunk.Length == 1 ? VaeMembers.One(chunk[0].Model) : VaeMembers.Batched(chunk[0].Model, chunk.Length);
            net.Module.to(Lab.Device);
            for (int k = 0; k < chunk.Length; k++) net.Load(k, chunk[k].Model);
            var fits = Fit(chunk.Select(c => c.Member).ToArray(), net, train, test, shown, references, cfg);
            for (int k = 0; k < chunk.Length; k++)
            {
                var c = chunk[k];
                net.Store(k, c.Model);
                if (fits[k].Diverged is null) CheckpointCache.Save(c.Entry, [c.Model], fits[k].Fit);
                runs[c.Index] = c.Run(fits[k].Fit, cfg, fromCache: false) with { Diverged = fits[k].Diverged };
            }
            if (net.Module != chunk[0].Model) net.Module.Dispose();
        }
        // The draws after this call as after training every run: loading and saving re-seed from the entry touched last.
        CheckpointCache.ReseedAfter(lastKey);
        return runs;
    }

    sealed record Pending<TModel>(int Index, CollapseMember Member, TModel Model, CacheEntry Entry) where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        public CollapseRun Run(CollapseFit f, CollapseConfig cfg, bool fromCache) =>
            new(Member.Name, f.History, Model.GetName(), Model.ParameterCount(), Member.Schedule, f.TotalSteps, f.Snapshots, f.Checkpoints, f.Originals)
                { FromCache = fromCache, Objective = cfg.Objective, Quality = f.Quality };
    }

    /// <summary>This experiment's checkpoint-cache name and entry format (bump when training or the recorded
    /// diagnostics change in a way the cache key cannot see).</summary>
    internal static readonly CacheTag Cache = new("collapse", 6);

    /// <summary>What a run records, as stored in the checkpoint cache.</summary>
    public sealed record CollapseFit(int TotalSteps, History History, List<LatentSnapshot> Snapshots, List<ImageCheckpoint> Checkpoints, float[] Originals,
        EndQuality? Quality = null);

    /// <summary>A member's record, and why it stopped early (null: it ran to the end).</summary>
    sealed record MemberFit(CollapseFit Fit, NonFiniteLossException? Diverged);

    // Each member's random streams, all from its seed: batch order (BatchLoader), reparameterisation noise (MemberNoise), the
    // evaluation noise of each evaluation step, the prior draws decoded at checkpoints. Alone or in a batch, a member
    // draws the same numbers.
    static long EvaluationSeed(int seed, int step) => (long)seed * 1_000_003L + step + 7;
    static long QualitySeed(int seed) => (long)seed * 1_000_003L + 999_983;

    static MemberFit[] Fit(CollapseMember[] members, IVaeMembers net, Tensor trainImages, Tensor testImages, Tensor shownImages, ImageDataset references,
        CollapseConfig cfg)
    {
        int count = members.Length;
        var device = Lab.Device;
        using var opt = Optimizers.Adam(net.Module.parameters(), cfg.LearningRate);
        using var trainX = trainImages.to(device);
        var loaders = members.Select(m => new BatchLoader(trainX, null, cfg.BatchSize, m.Seed)).ToArray();
        int perEpoch = loaders[0].BatchesPerEpoch, total = cfg.Epochs * perEpoch;
        using var testX = testImages.to(device);
        using var shown = shownImages.to(device);
        using var noise = new MemberNoise(members.Select(m => m.Seed));
        var priors = members.Select(m =>
        {
            using var g = new torch.Generator((ulong)m.Seed + 12345);
            return torch.randn(cfg.ShownImages, net.LatentDim, generator: g);
        }).ToArray();
        using var prior = torch.stack(priors).to(device);
        foreach (var t in priors) t.Dispose();

        var evalSteps = Enumerable.Range(0, cfg.Evaluations + 1).Select(k => (int)Math.Round((double)k * total / cfg.Evaluations)).ToHashSet();
        var checkpointSteps = Enumerable.Range(0, cfg.Checkpoints).Select(k => (int)Math.Round((double)k * total / (cfg.Checkpoints - 1))).ToHashSet();
        var snapshots = members.Select(_ => new List<LatentSnapshot>()).ToArray();
        var checkpoints = members.Select(_ => new List<ImageCheckpoint>()).ToArray();
        var running = Enumerable.Repeat(true, count).ToArray();  // members not stopped by a non-finite loss
        bool Active(int k) => running[k];

        void Observe(int step)
        {
            bool eval = evalSteps.Contains(step) && (snapshots[0].Count == 0 || snapshots[0][^1].Step != step);
            bool images = checkpointSteps.Contains(step) && (checkpoints[0].Count == 0 || checkpoints[0][^1].Step != step);
            if (!eval && !images) return;
            using var scope = torch.NewDisposeScope();
            using var _ = Inference.Evaluating(net.Module);
            if (eval)
            {
                var x = testX.unsqueeze(0).expand(count, -1, -1, -1, -1);
                var (mean, logVar) = net.Encode(x);
                var eps = torch.stack(members.Select(m => Draw(mean.shape[1], net.LatentDim, EvaluationSeed(m.Seed, step))).ToArray()).to(device);
                var logits = net.Decode(Gaussian.Reparameterize(mean, logVar, eps));
                for (int k = 0; k < count; k++)
                {
                    if (!Active(k)) continue;
                    torch.manual_seed(EvaluationSeed(members[k].Seed, step));  // the MI estimate's draws
                    double beta = members[k].Schedule.At(Math.Min(step, Math.Max(0, total - 1)), Math.Max(1, total));
                    snapshots[k].Add(Summarise(mean[k], logVar[k], logits[k], testX, step, beta, cfg.MiDraws, cfg.Objective));
                }
            }
            if (images)
            {
                var x = shown.unsqueeze(0).expand(count, -1, -1, -1, -1);
                var (mean, logVar) = net.Encode(x);
                var eps = torch.stack(members.Select(m => Draw(mean.shape[1], net.LatentDim, EvaluationSeed(m.Seed, step) + 1)).ToArray()).to(device);
                var recon = net.Decode(Gaussian.Reparameterize(mean, logVar, eps)).sigmoid().cpu();
                var samples = net.Decode(prior).sigmoid().cpu();
                for (int k = 0; k < count; k++)
                    if (Active(k))
                        checkpoints[k].Add(new ImageCheckpoint(step, recon[k].flatten().data<float>().ToArray(), samples[k].flatten().data<float>().ToArray(),
                            (int)shown.shape[0]));
            }
        }

        var clock = Stopwatch.StartNew();
        var outcomes = MemberTraining.Run(members.Select(m => m.Name).ToArray(), loaders, cfg.Epochs, net.Module, opt, (x, ctx) =>
        {
            var betas = torch.tensor(members.Select(m => (float)m.Schedule.At(ctx.Step, total)).ToArray()).to(device);
            var (mean, logVar) = net.Encode(x);
            var eps = noise.Draw(x.shape[1], net.LatentDim).to(device);
            var logits = net.Decode(Gaussian.Reparameterize(mean, logVar, eps));
            var loss = cfg.Objective.MemberLoss(logits, x, mean, logVar, betas);
            return new MemberTerms(loss.Total, new Dictionary<string, Tensor>
                { ["loss"] = loss.Total, ["recon"] = loss.Reconstruction, ["kl"] = loss.Kl, ["beta"] = betas });
        }, recordSteps: true, beforeStep: (step, stillRunning) => { running = stillRunning; Observe(step); });
        for (int k = 0; k < count; k++) running[k] = outcomes[k].Diverged is null;
        if (Enumerable.Range(0, count).Any(Active)) Observe(total);
        var quality = new EndQuality?[count];
        if (Enumerable.Range(0, count).Any(Active))
        {
            using var scope = torch.NewDisposeScope();
            using var evaluating = Inference.Evaluating(net.Module);
            var draws = torch.stack(members.Select(m => Draw(cfg.QualitySamples, net.LatentDim, QualitySeed(m.Seed))).ToArray()).to(device);
            var samples = net.Decode(draws).sigmoid().cpu();
            var (testMean, _) = net.Encode(testX.unsqueeze(0).expand(count, -1, -1, -1, -1));
            var recon = net.Decode(testMean).sigmoid().cpu();
            double dataSpeckle = EndQualities.Speckle(testX);
            for (int k = 0; k < count; k++)
                if (Active(k))
                    quality[k] = new EndQuality(Knn.InceptionScore(references.Flat, references.Labels, samples[k].reshape(cfg.QualitySamples, -1)),
                        EndQualities.Speckle(recon[k]) / dataSpeckle);
        }
        double seconds = clock.Elapsed.TotalSeconds;  // the final evaluation included, as the runs' wall time
        var originals = shown.cpu().flatten().data<float>().ToArray();
        var fits = new MemberFit[count];
        for (int k = 0; k < count; k++)
        {
            outcomes[k].History.Seconds = seconds / count;  // each member's share of the batch, its final evaluation included
            fits[k] = new MemberFit(new CollapseFit(total, outcomes[k].History, snapshots[k], checkpoints[k], originals, quality[k]), outcomes[k].Diverged);
        }
        return fits;
    }

    static Tensor Draw(long rows, int latentDim, long seed)
    {
        using var g = new torch.Generator((ulong)seed);
        return torch.randn(rows, latentDim, generator: g);
    }

    /// <summary>The collapse diagnostics of one model's outputs on <paramref name="x"/>: KL, the objective's
    /// reconstruction term (in its units), active units, MI and bands.</summary>
    static LatentSnapshot Summarise(Tensor mean, Tensor logVar, Tensor logits, Tensor x, int step, double beta, int miDraws, CollapseObjective objective)
    {
        double recon = objective.Reconstruction(logits, x).item<float>();
        return new LatentSnapshot(step, beta, PosteriorStats.Kl(mean, logVar), recon, PosteriorStats.ActiveUnits(mean),
            PosteriorStats.MutualInformation(mean, logVar, draws: miDraws), PosteriorStats.MeanStandardDeviation(logVar), PosteriorStats.Bands(mean, logVar));
    }
}
