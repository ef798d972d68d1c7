using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Experiments.Gaussians;

/// <summary>A trained model with its run (per-epoch history, time, whether the checkpoint cache supplied both).</summary>
public sealed record Trained<TModel>(string Name, History History, TModel Model) : TrainingRun(Name, History);

/// <summary>Notebook 01's training and measurements, one call each.</summary>
public static class GaussiansTrainer
{
    /// <summary>Trains <see cref="Autoencoder2D"/> (1-d bottleneck) with Adam on the squared error; records "loss".</summary>
    /// <remarks>Goes through the checkpoint cache; retrain = true trains even when it holds this run.</remarks>
    public static Trained<Autoencoder2D> TrainAutoencoder(GaussiansConfig cfg, Tensor train, bool retrain = false)
    {
        cfg.Validate();
        Lab.Seed(cfg.Seed);  // the initial weights follow the seed, as the batch order does
        var model = new Autoencoder2D(train.shape[1] is var d ? (int)d : 2, cfg.HiddenDim, latentDim: 1);
        model.to(Lab.Device);
        var modules = new nn.Module[] { model };
        var run = CheckpointCache.LoadOrTrain(CheckpointCache.Entry(Cache.For("autoencoder"), TrainingPart(cfg), new[] { train }, modules), modules,
            _ => FitAutoencoder(model, cfg, train), retrain);
        return new Trained<Autoencoder2D>("autoencoder", run.Result, model) { FromCache = run.FromCache };
    }

    /// <summary>The settings that shape the weights: the measurement sizes are no part of a cache key.</summary>
    static GaussiansConfig TrainingPart(GaussiansConfig cfg) => cfg with { EstimatorDraws = 0, EstimatorInputs = 0, GeneratedPoints = 0 };

    /// <summary>This experiment's checkpoint-cache name and entry format.</summary>
    internal static readonly CacheTag Cache = new("gaussians", 3);

    static History FitAutoencoder(Autoencoder2D model, GaussiansConfig cfg, Tensor train)
    {
        var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
        var loader = new BatchLoader(train.to(Lab.Device), null, cfg.BatchSize, cfg.Seed);
        model.train();
        return TrainLoop.Run("autoencoder", cfg.Epochs, loader.BatchesPerEpoch, e => loader.Epoch(e), (batch, ctx) =>
        {
            var loss = GaussiansLoss.Autoencoder(model.forward(batch.X).Reconstruction, batch.X);
            if (!TrainStep.Update(ctx, "loss", loss, opt)) return null;
            return new Dictionary<string, Tensor> { ["loss"] = loss };
        });
    }

    /// <summary>
    /// Trains <see cref="GaussianVae"/> by maximising the ELBO (<see cref="Elbo.GaussianLikelihood"/>) with Adam;
    /// records per-example batch means of "elbo", "loglik" (the expected log-likelihood, the reconstruction term)
    /// and "kl", in nats.
    /// </summary>
    /// <remarks>Goes through the checkpoint cache; retrain = true trains even when it holds this run.</remarks>
    public static Trained<GaussianVae> TrainVae(GaussiansConfig cfg, Tensor train, bool retrain = false)
    {
        cfg.Validate();
        Lab.Seed(cfg.Seed);
        var model = new GaussianVae((int)train.shape[1], cfg.HiddenDim, latentDim: 1, cfg.SamplesZ);
        model.to(Lab.Device);
        var modules = new nn.Module[] { model };
        var run = CheckpointCache.LoadOrTrain(CheckpointCache.Entry(Cache.For("vae"), TrainingPart(cfg), new[] { train }, modules), modules,
            _ => FitVae(model, cfg, train), retrain);
        return new Trained<GaussianVae>("vae", run.Result, model) { FromCache = run.FromCache };
    }

    static History FitVae(GaussianVae model, GaussiansConfig cfg, Tensor train)
    {
        var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
        var loader = new BatchLoader(train.to(Lab.Device), null, cfg.BatchSize, cfg.Seed);
        model.train();
        return TrainLoop.Run("vae", cfg.Epochs, loader.BatchesPerEpoch, e => loader.Epoch(e), (batch, ctx) =>
        {
            var o = model.forward(batch.X);
            var terms = GaussiansLoss.Vae(batch.X, o);
            var elbo = terms.Elbo.mean();
            var loss = -elbo;
            if (!TrainStep.Update(ctx, "-elbo", loss, opt)) return null;
            return new Dictionary<string, Tensor> { ["elbo"] = elbo, ["loglik"] = terms.LogLikelihood.mean(), ["kl"] = terms.Kl.mean() };
        });
    }

    /// <summary>Encodes then decodes <paramref name="x"/> (N×2), evaluating (<see cref="Inference.Evaluating"/>).</summary>
    public static Tensor Reconstruct(Autoencoder2D ae, Tensor x)
    {
        using var _ = Inference.Evaluating(ae);
        return ae.forward(x.to(Lab.Device)).Reconstruction.cpu();
    }

    /// <summary>
    /// The autoencoder used as a generator: <paramref name="n"/> codes drawn uniformly over the range its encoder
    /// gives <paramref name="reference"/> (e.g. the training points), then decoded.
    /// </summary>
    public static Tensor DecodeUniformCodes(Autoencoder2D ae, Tensor reference, int n)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = Inference.Evaluating(ae);
        var codes = ae.Encode(reference.to(Lab.Device));
        var lo = codes.min(0).values;
        var hi = codes.max(0).values;
        var u = torch.rand(new long[] { n, codes.shape[1] }, device: codes.device);
        return ae.Decode(lo + u * (hi - lo)).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// VAE reconstructions: one z ~ q(z|x) per input, then the likelihood's mean (Mean) and a draw x ~ p(x|z) (Sample).
    /// </summary>
    public static (Tensor Mean, Tensor Sample) Reconstruct(GaussianVae vae, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = Inference.Evaluating(vae);
        var (zMean, zLogVar) = vae.Encode(x.to(Lab.Device));
        var (mean, logVar) = vae.Decode(Gaussian.Reparameterize(zMean, zLogVar));
        var sample = Gaussian.Reparameterize(mean, logVar);  // x ~ p(x|z)
        return (mean.cpu().MoveToOuterDisposeScope(), sample.cpu().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Draws of both estimators of ∇_φ E_{q_φ(z|x)}[log p_θ(x|z)] (φ: the encoder, θ fixed), averaged over the
    /// inputs <paramref name="x"/>, at the VAE's current parameters, for every sample count in the config.
    /// Returns score-function and reparameterization draws per sample count, in that order.
    /// </summary>
    public static IReadOnlyList<EstimatorDraws> CompareEstimators(GaussianVae vae, Tensor x, GaussiansConfig cfg)
    {
        cfg.Validate();
        var inputs = x.to(Lab.Device);
        var phi = vae.EncoderParameters().Cast<Tensor>().ToList();
        Tensor LogLikelihood(Tensor z) // S×B×d_z → S×B
        {
            var (mean, logVar) = vae.Decode(z);
            return Gaussian.LogLikelihood(inputs, mean, logVar);
        }
        var results = new List<EstimatorDraws>();
        foreach (int s in cfg.EstimatorSampleCounts)
            foreach (var kind in new[] { GradientEstimator.ScoreFunction, GradientEstimator.Reparameterization })
                results.Add(GradientEstimators.Draw(kind, () => vae.Encode(inputs), LogLikelihood, phi, s, cfg.EstimatorDraws));
        return results;
    }
}
