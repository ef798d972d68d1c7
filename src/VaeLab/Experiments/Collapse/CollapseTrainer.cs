using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Metrics;
using VaeLab.Nn;
using VaeLab.Training;

namespace VaeLab.Experiments.Collapse;

/// <summary>Encoder statistics on the fixed test batch at one step of training (KL and MI in nats, reconstruction in
/// the objective's units: per-pixel MSE for the document's loss; MeanStd the average posterior standard deviation).</summary>
public sealed record LatentSnapshot(int Step, double Beta, double Kl, double Reconstruction, int ActiveUnits, double MutualInformation, double MeanStd, LatentBands Bands)
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

/// <summary>One training run: per-step training terms (History steps "loss", "recon", "kl", "beta"),
/// evaluations on the test batch, image checkpoints, and the fixed training images.</summary>
public sealed record CollapseRun(string Name, History History, string Model, long Parameters, BetaSchedule Schedule, int TotalSteps,
    IReadOnlyList<LatentSnapshot> Snapshots, IReadOnlyList<ImageCheckpoint> Checkpoints, float[] Originals)
    : TrainingRun(Name, History)
{
    public LatentSnapshot Final => Snapshots[^1];
    /// <summary>The objective trained; its units are those of every reconstruction the run recorded.</summary>
    public CollapseObjective Objective { get; init; } = CollapseObjective.DocumentMse;
    /// <summary>
    /// The evaluation with the smallest KL in the first half of training after step 0 (the document's "dip"); the
    /// untrained encoder's posterior sits near the prior, so its small step-0 KL is no dip. Without an evaluation in
    /// that range, the final one.
    /// </summary>
    public LatentSnapshot FirstHalfDip => Snapshots.Where(s => s.Step > 0 && s.Step <= TotalSteps / 2).DefaultIfEmpty(Snapshots[^1]).MinBy(s => s.Kl)!;
    public Tensor OriginalImages() => torch.tensor(Originals).reshape(-1, 1, 28, 28);
    public override string ToString() =>
        $"{Name} ({Model}, {Parameters:N0} parameters, {Schedule.Describe()}): {TotalSteps} steps in {Seconds:0.0} s{(FromCache ? " (loaded from the checkpoint cache)" : "")}; " +
        $"final KL {Final.Kl:0.####} nats, recon {Final.Reconstruction:0.#####}, AU {Final.ActiveUnits}/{Final.Bands.MeanMin.Length}, MI {Final.MutualInformation:0.###} nats";
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
    public static CollapseRun Train<TModel>(string name, Func<TModel> makeModel, BetaSchedule schedule, DatasetSplits data, CollapseConfig cfg, bool retrain = false)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        cfg.Validate();
        if (cfg.TrainExamples > data.Train.Count)
            throw new ArgumentException($"TrainExamples {cfg.TrainExamples} exceeds the {data.Train.Count} training images of {data.Used}; lower it.", nameof(cfg));
        if (cfg.TestBatch > data.Test.Count || cfg.TestBatch < 2)
            throw new ArgumentException($"TestBatch {cfg.TestBatch} must be in [2, {data.Test.Count}] (the test images of {data.Used}).", nameof(cfg));

        Lab.Seed(cfg.Seed);
        var model = makeModel();
        var train = data.Train.Take(cfg.TrainExamples).Images;
        if (cfg.OutputBiasAtMeanPixel) model.SetOutputBias(MeanPixelLogit(train));
        model.to(Lab.Device);
        long parameters = model.ParameterCount();
        var test = data.Test.Take(cfg.TestBatch).Images;
        var shown = data.Train.Take(cfg.ShownImages).Images;
        var key = new { Config = cfg, Model = model.GetType().FullName, ScheduleType = schedule.GetType().Name, Schedule = (object)schedule };
        var run = CheckpointCache.LoadOrTrain(Cache.For(model.GetType().Name), key, new[] { train, test, shown }, new[] { model },
            () => Fit(name, model, schedule, train, test, shown, cfg), retrain);
        var f = run.Result;
        return new CollapseRun(name, f.History, model.GetName(), parameters, schedule, f.TotalSteps, f.Snapshots, f.Checkpoints, f.Originals)
            { FromCache = run.FromCache, Objective = cfg.Objective };
    }

    /// <summary>This experiment's checkpoint-cache name and entry format (bump when training or the recorded
    /// diagnostics change in a way the cache key cannot see).</summary>
    internal static readonly CacheTag Cache = new("collapse", 4);

    /// <summary>What a run records, as stored in the checkpoint cache.</summary>
    public sealed record CollapseFit(int TotalSteps, History History, List<LatentSnapshot> Snapshots, List<ImageCheckpoint> Checkpoints, float[] Originals);

    static CollapseFit Fit<TModel>(string name, TModel model, BetaSchedule schedule, Tensor trainImages, Tensor testImages, Tensor shownImages, CollapseConfig cfg)
        where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
        var loader = new BatchLoader(trainImages.to(Lab.Device), null, cfg.BatchSize, cfg.Seed);
        int total = cfg.Epochs * loader.BatchesPerEpoch;
        using var testX = testImages.to(Lab.Device);
        using var shown = shownImages.to(Lab.Device);
        Tensor prior;
        using (var g = new torch.Generator((ulong)cfg.Seed + 12345)) prior = torch.randn(cfg.ShownImages, model.LatentDim, generator: g).to(Lab.Device);

        var evalSteps = Enumerable.Range(0, cfg.Evaluations + 1).Select(k => (int)Math.Round((double)k * total / cfg.Evaluations)).ToHashSet();
        var checkpointSteps = Enumerable.Range(0, cfg.Checkpoints).Select(k => (int)Math.Round((double)k * total / (cfg.Checkpoints - 1))).ToHashSet();
        var snapshots = new List<LatentSnapshot>();
        var checkpoints = new List<ImageCheckpoint>();

        void Observe(int step)
        {
            double beta = schedule.At(Math.Min(step, Math.Max(0, total - 1)), Math.Max(1, total));
            if (evalSteps.Contains(step) && (snapshots.Count == 0 || snapshots[^1].Step != step))
                snapshots.Add(Evaluate(model, testX, step, beta, cfg.MiDraws, cfg.Objective));
            if (checkpointSteps.Contains(step) && (checkpoints.Count == 0 || checkpoints[^1].Step != step))
                checkpoints.Add(Images(model, shown, prior, step));
        }

        var clock = Stopwatch.StartNew();
        var history = TrainLoop.Run(name, cfg.Epochs, loader.BatchesPerEpoch, e => loader.Epoch(e), (batch, ctx) =>
        {
            Observe(ctx.Step);
            double beta = schedule.At(ctx.Step, total);
            var output = model.forward(batch.X);
            var terms = cfg.Objective.Loss(output.Logits, batch.X, output.Mean, output.LogVar, beta);
            if (!TrainStep.Update(ctx, "loss", terms.Total, opt)) return new Dictionary<string, Tensor>();
            return new Dictionary<string, Tensor>
            {
                ["loss"] = terms.Total, ["recon"] = terms.Reconstruction, ["kl"] = terms.Kl, ["beta"] = torch.tensor((float)beta), // TrainLoop reads float32 scalars
            };
        }, recordSteps: true);
        Observe(total);
        history.Seconds = clock.Elapsed.TotalSeconds;  // the final evaluation included, as the run's wall time
        prior.Dispose();
        var originals = shown.cpu().flatten().data<float>().ToArray();
        return new CollapseFit(total, history, snapshots, checkpoints, originals);
    }

    /// <summary>KL, reconstruction (the objective's term, in its units), active units, MI and bands of the encoder on
    /// <paramref name="x"/>, without changing the model (eval mode and no_grad; train mode restored).</summary>
    public static LatentSnapshot Evaluate(nn.Module<Tensor, VaeOutput> model, Tensor x, int step, double beta, int miDraws = 1,
        CollapseObjective objective = CollapseObjective.DocumentMse)
    {
        using var _ = torch.NewDisposeScope();
        using var __ = Inference.Evaluating(model);
        var output = model.forward(x);
        double recon = objective.Reconstruction(output.Logits, x).item<float>();
        return new LatentSnapshot(step, beta, PosteriorStats.Kl(output.Mean, output.LogVar), recon,
            PosteriorStats.ActiveUnits(output.Mean), PosteriorStats.MutualInformation(output.Mean, output.LogVar, draws: miDraws), PosteriorStats.MeanStandardDeviation(output.LogVar), PosteriorStats.Bands(output.Mean, output.LogVar));
    }

    static ImageCheckpoint Images<TModel>(TModel model, Tensor shown, Tensor prior, int step) where TModel : nn.Module<Tensor, VaeOutput>, IGaussianVae
    {
        using var _ = torch.NewDisposeScope();
        using var __ = Inference.Evaluating(model);
        var recon = model.forward(shown).Logits.sigmoid().cpu().flatten().data<float>().ToArray();
        var samples = model.Decode(prior).sigmoid().cpu().flatten().data<float>().ToArray();
        return new ImageCheckpoint(step, recon, samples, (int)shown.shape[0]);
    }
}
