using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>
/// One model's training run: the history of its loss terms (per-epoch means and per-step values), and for loss curves
/// over steps the means over consecutive windows of <see cref="StepWindow"/> steps (at most about
/// <see cref="ElboVsMmdTrainer.CurvePoints"/> points per term).
/// </summary>
public sealed record ElboVsMmdRun(string Name, History History) : TrainingRun(Name, History)
{
    /// <summary>Training steps taken.</summary>
    public int Steps { get; } = History.Names.Select(n => History.Steps(n).Count).DefaultIfEmpty(0).Max();

    /// <summary>Steps per window of <see cref="PerWindow"/>.</summary>
    public int StepWindow => Math.Max(1, (Steps + ElboVsMmdTrainer.CurvePoints - 1) / ElboVsMmdTrainer.CurvePoints);

    /// <summary>Window means of each term's per-step values (computed once, on first use).</summary>
    public IReadOnlyDictionary<string, double[]> PerWindow => _perWindow ??=
        History.Names.ToDictionary(n => n, n => History.Steps(n).Chunk(StepWindow).Select(w => w.Average()).ToArray());
    IReadOnlyDictionary<string, double[]>? _perWindow;

    /// <summary>The step (1-based) at the end of each window, as x values for <see cref="PerWindow"/>.</summary>
    public double[] WindowEnds(string name) =>
        Enumerable.Range(1, PerWindow[name].Length).Select(i => (double)Math.Min(Steps, i * StepWindow)).ToArray();
}

/// <summary>Notebook 02's two models trained with one seed (<see cref="ElboVsMmdTrainer.TrainPair"/>).</summary>
public sealed record ElboVsMmdPair(int Seed, ConvVae Elbo, MmdVae Mmd, ElboVsMmdRun ElboRun, ElboVsMmdRun MmdRun);

/// <summary>Training of notebook 02's two models, each through <see cref="TrainLoop"/> and the checkpoint cache.</summary>
public static class ElboVsMmdTrainer
{
    /// <summary>About how many points each per-step curve keeps.</summary>
    public const int CurvePoints = 400;

    /// <summary>This experiment's checkpoint-cache name and entry format (bump when training or what a run stores
    /// changes, so older entries are not reused).</summary>
    internal static readonly CacheTag Cache = new("elbo-vs-mmd", 4);

    /// <summary>
    /// Trains the conv VAE on the single-sample Monte-Carlo ELBO (the document's estimator):
    /// loss = −mean over the batch of [log p(x|z) + log p(z) − log q(z|x)], with Adam. Logs the three terms (batch means).
    /// </summary>
    public static ElboVsMmdRun TrainElbo(ConvVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false) =>
        TrainElbo(model, train, cfg, retrain, "ELBO VAE", initialisation: null);

    static ElboVsMmdRun TrainElbo(ConvVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain, string name, string? initialisation) =>
        TrainOnElboTerms(model, train, cfg, retrain, name, "elbo", "-elbo", ElboVsMmdLoss.NegativeElbo, initialisation);

    /// <summary>
    /// Trains a conv VAE on the document's literal loss (<see cref="ElboVsMmdLoss.DocumentLiteral"/>: reconstruction
    /// summed over the batch, latent terms averaged), with Adam; logs the loss and the three terms (batch means).
    /// </summary>
    public static ElboVsMmdRun TrainLiteral(ConvVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false) =>
        TrainOnElboTerms(model, train, cfg, retrain, "literal-loss VAE", "literal", "loss", ElboVsMmdLoss.DocumentLiteral, initialisation: null);

    // The conv VAE's loop for either objective built from the ELBO's terms: the loss logged as lossName, the three terms beside it.
    static ElboVsMmdRun TrainOnElboTerms(ConvVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain, string name, string cacheKind, string lossName,
        Func<Tensor, Tensor, Tensor, Tensor, Tensor, ElboTerms> objective, string? initialisation)
    {
        cfg.Validate();
        var data = Select(train, cfg);
        return Cached(name, Cache.For(cacheKind), model, data, cfg, retrain, initialisation, () =>
        {
            using var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
            var loader = new BatchLoader(data.Images, null, cfg.BatchSize, cfg.Seed);
            return TrainLoop.Run(name, cfg.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
            {
                var x = batch.X.to(Lab.Device);
                var o = model.forward(x);
                var t = objective(o.Logits, x, o.Z, o.Mean, o.LogVar);
                if (!TrainStep.Update(ctx, lossName, t.Loss, opt)) return null;
                return new Dictionary<string, Tensor> { [lossName] = t.Loss, ["log p(x|z)"] = t.LogPx, ["log p(z)"] = t.LogPz, ["log q(z|x)"] = t.LogQz };
            }, recordSteps: true);
        });
    }

    /// <summary>
    /// Trains the MMD-VAE on the document's loss: mean squared error between x and sigmoid(logits), averaged over
    /// pixels and the batch (Keras's k_mean), plus MmdWeight · MMD(N(0, I) samples, codes) with the document's kernel.
    /// </summary>
    public static ElboVsMmdRun TrainMmd(MmdVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false) =>
        TrainMmd(model, train, cfg, retrain, "MMD-VAE", initialisation: null);

    static ElboVsMmdRun TrainMmd(MmdVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain, string name, string? initialisation)
    {
        cfg.Validate();
        var data = Select(train, cfg);
        return Cached(name, Cache.For("mmd"), model, data, cfg, retrain, initialisation, () =>
        {
            using var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
            var loader = new BatchLoader(data.Images, null, cfg.BatchSize, cfg.Seed);
            return TrainLoop.Run(name, cfg.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
            {
                var x = batch.X.to(Lab.Device);
                var o = model.forward(x);
                var t = ElboVsMmdLoss.MmdVae(o.Reconstruction, x, o.Z, cfg.MmdWeight);
                if (!TrainStep.Update(ctx, "loss", t.Loss, opt)) return null;
                return new Dictionary<string, Tensor> { ["loss"] = t.Loss, ["mse"] = t.Mse, ["mmd"] = t.Mmd };
            }, recordSteps: true);
        });
    }

    /// <summary>
    /// Both models for one seed, as one more repetition of the notebook's comparison: each is initialised right after
    /// <c>Lab.Seed(cfg.Seed)</c> (the ELBO VAE first), shuffled and sampled with <c>cfg.Seed</c>, and cached under its
    /// own entry; progress names the seed.
    /// </summary>
    public static ElboVsMmdPair TrainPair(ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false)
    {
        cfg.Validate();
        Lab.Seed(cfg.Seed);
        var elbo = new ConvVae(cfg.LatentDim);
        var mmd = new MmdVae(cfg.LatentDim);
        string init = $"initialised right after Lab.Seed({cfg.Seed})";
        return new ElboVsMmdPair(cfg.Seed, elbo, mmd,
            TrainElbo(elbo, train, cfg, retrain, $"ELBO VAE, seed {cfg.Seed}", init), TrainMmd(mmd, train, cfg, retrain, $"MMD-VAE, seed {cfg.Seed}", init));
    }

    // cfg.Validate() has checked TrainExamples ≥ BatchSize.
    static ImageDataset Select(ImageDataset train, ElboVsMmdConfig cfg) => train.FirstOrAll(cfg.TrainExamples);

    static ElboVsMmdRun Cached(string runName, string cacheName, nn.Module model, ImageDataset data, ElboVsMmdConfig cfg, bool retrain,
        string? initialisation, Func<History> train)
    {
        model.to(Lab.Device);
        // Key on the training settings only (evaluation sizes do not change the weights) and on the setup seed the
        // model was initialised under.
        var trainingPart = cfg with { TestExamples = 0, KnnReferences = 0, KnnK = 0, IwaeExamples = 0, IwaeSamples = 0, GeneratedSamples = 0 };
        var selection = $"{data.Name}: first {data.Count} training images; {initialisation ?? $"initialised under Lab seed {Lab.Info?.Seed}"}";
        var modules = new[] { model };
        var run = CheckpointCache.LoadOrTrain(CheckpointCache.Entry(cacheName, trainingPart, selection, cfg.Seed), modules, _ =>
        {
            Lab.Seed(cfg.Seed);
            return train();
        }, retrain);
        return new ElboVsMmdRun(runName, run.Result) { FromCache = run.FromCache };
    }
}
