using TorchSharp;
using VaeLab.Data;
using VaeLab.Losses;
using VaeLab.Models;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>Per-epoch means of the logged loss terms, the wall time and step count of one training run.</summary>
public sealed record TrainingCurves(Dictionary<string, double[]> PerEpoch, double Seconds, int Steps)
{
    /// <summary>True when the weights and curves came from the checkpoint cache (Seconds is then the original run's).</summary>
    public bool FromCache { get; init; }
}

/// <summary>Training of notebook 02's two models, each through <see cref="TrainLoop"/> and the checkpoint cache.</summary>
public static class ElboVsMmdTraining
{
    /// <summary>
    /// Trains the conv VAE on the single-sample Monte-Carlo ELBO (the document's estimator):
    /// loss = −mean over the batch of [log p(x|z) + log p(z) − log q(z|x)], with Adam. Logs the three terms (batch means).
    /// </summary>
    public static TrainingCurves TrainElbo(ConvVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false)
    {
        var data = Select(train, cfg);
        return Cached("nb02-elbo", model, data, cfg, retrain, () =>
        {
            var opt = optim.Adam(model.parameters(), cfg.LearningRate);
            var loader = new BatchLoader(data.Images, null, cfg.BatchSize, cfg.Seed);
            return TrainLoop.Run("ELBO VAE", cfg.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
            {
                var x = batch.X.to(Lab.Device);
                var o = model.forward(x);
                var logPx = Bernoulli.LogLikelihood(o.Logits, x).mean();
                var logPz = Gaussian.LogStandardNormal(o.Z).mean();
                var logQz = Gaussian.LogLikelihood(o.Z, o.Mean, o.LogVar).mean();
                var loss = -(logPx + logPz - logQz);
                if (!ctx.Finite("-elbo", loss)) return new Dictionary<string, Tensor>();
                opt.zero_grad(); loss.backward(); opt.step();
                return new Dictionary<string, Tensor> { ["-elbo"] = loss, ["log p(x|z)"] = logPx, ["log p(z)"] = logPz, ["log q(z|x)"] = logQz };
            });
        });
    }

    /// <summary>
    /// Trains the MMD-VAE on the document's loss: mean squared error between x and sigmoid(logits), averaged over
    /// pixels and the batch (Keras's k_mean), plus MmdWeight · MMD(N(0, I) samples, codes) with the document's kernel.
    /// </summary>
    public static TrainingCurves TrainMmd(MmdVae model, ImageDataset train, ElboVsMmdConfig cfg, bool retrain = false)
    {
        var data = Select(train, cfg);
        return Cached("nb02-mmd", model, data, cfg, retrain, () =>
        {
            var opt = optim.Adam(model.parameters(), cfg.LearningRate);
            var loader = new BatchLoader(data.Images, null, cfg.BatchSize, cfg.Seed);
            return TrainLoop.Run("MMD-VAE", cfg.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
            {
                var x = batch.X.to(Lab.Device);
                var o = model.forward(x);
                var mse = nn.functional.mse_loss(o.Reconstruction, x);
                var mmd = Mmd.ToNormal(o.Z);
                var loss = mse + cfg.MmdWeight * mmd;
                if (!ctx.Finite("loss", loss)) return new Dictionary<string, Tensor>();
                opt.zero_grad(); loss.backward(); opt.step();
                return new Dictionary<string, Tensor> { ["loss"] = loss, ["mse"] = mse, ["mmd"] = mmd };
            });
        });
    }

    static ImageDataset Select(ImageDataset train, ElboVsMmdConfig cfg)
    {
        if (cfg.TrainExamples < cfg.BatchSize)
            throw new ArgumentException($"TrainExamples ({cfg.TrainExamples}) must be at least BatchSize ({cfg.BatchSize}).", nameof(cfg));
        return cfg.TrainExamples >= train.Count ? train : train.Take(cfg.TrainExamples);
    }

    static TrainingCurves Cached(string name, nn.Module model, ImageDataset data, ElboVsMmdConfig cfg, bool retrain, Func<History> train)
    {
        model.to(Lab.Device);
        // Key on the training settings only (evaluation sizes do not change the weights) and on the setup seed the
        // model was initialised under.
        var trainingPart = cfg with { TestExamples = 0, KnnReferences = 0, KnnK = 0, IwaeExamples = 0, IwaeSamples = 0, GeneratedSamples = 0 };
        var selection = $"{data.Name}: first {data.Count} training images; initialised under Lab seed {Lab.Info?.Seed}";
        var run = CheckpointCache.LoadOrTrain(name, trainingPart, selection, cfg.Seed,
            new[] { model }, () =>
            {
                Lab.Seed(cfg.Seed);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var history = train();
                return new TrainingCurves(history.Names.ToDictionary(n => n, n => history[n].ToArray()), watch.Elapsed.TotalSeconds,
                                          history.Epochs * ((data.Count + cfg.BatchSize - 1) / cfg.BatchSize));
            }, retrain);
        return run.Result with { FromCache = run.FromCache };
    }
}
