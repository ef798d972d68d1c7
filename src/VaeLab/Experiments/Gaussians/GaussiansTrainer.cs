using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Nn.Batched;
using VaeLab.Training;

namespace VaeLab.Experiments.Gaussians;

/// <summary>A trained model with its run (per-epoch history, time, whether the checkpoint cache supplied both).</summary>
public sealed record Trained<TModel>(string Name, History History, TModel Model) : TrainingRun(Name, History);

/// <summary>Notebook 01's training and measurements, one call each.</summary>
public static class GaussiansTrainer
{
    /// <summary>Trains <see cref="Autoencoder2D"/> (1-d bottleneck) with Adam on the squared error; records "loss".</summary>
    /// <remarks>Goes through the checkpoint cache; retrain = true trains even when it holds this run.</remarks>
    public static Trained<Autoencoder2D> TrainAutoencoder(GaussiansConfig cfg, Tensor train, bool retrain = false) =>
        TrainAutoencoders(cfg, [cfg.Seed], train, retrain)[0];

    /// <summary>
    /// <see cref="TrainAutoencoder"/> for each seed (initial weights and batch order), in order. Runs the checkpoint
    /// cache holds are loaded; the others train together, up to <see cref="GaussiansConfig.BatchedMembers"/> at a time,
    /// as one <see cref="BatchedAutoencoder2D"/> (<see cref="MemberTraining"/>), each with the cache entry it would have
    /// alone. A run whose loss becomes non-finite stops alone; the others are trained and cached, then the call throws
    /// a <see cref="NonFiniteLossException"/> naming the stopped runs.
    /// </summary>
    public static IReadOnlyList<Trained<Autoencoder2D>> TrainAutoencoders(GaussiansConfig cfg, IReadOnlyList<int> seeds, Tensor train, bool retrain = false) =>
        TrainAutoencoders(cfg, seeds, train, retrain, null);

    /// <summary>The same, calling <c>initialised</c> with each seed's plain model after its initialisation (tests poison a member with it).</summary>
    internal static IReadOnlyList<Trained<Autoencoder2D>> TrainAutoencoders(GaussiansConfig cfg, IReadOnlyList<int> seeds, Tensor train, bool retrain,
        Action<int, Autoencoder2D>? initialised) =>
        TrainMembers("autoencoder", cfg, seeds, train, retrain, initialised,
            () => new Autoencoder2D(train.shape[1] is var d ? (int)d : 2, cfg.HiddenDim, latentDim: 1),
            (k, first) => new BatchedAutoencoder2D(k, first),
            (net, x, _) =>
            {
                var loss = GaussiansLoss.MemberAutoencoder(net.call(x).Reconstruction, x);
                return new MemberTerms(loss, new Dictionary<string, Tensor> { ["loss"] = loss });
            });

    /// <summary>
    /// Trains <see cref="GaussianVae"/> by maximising the ELBO (<see cref="Elbo.GaussianLikelihood"/>) with Adam;
    /// records per-example batch means of "elbo", "loglik" (the expected log-likelihood, the reconstruction term)
    /// and "kl", in nats. The latent noise comes from a generator of the run's own, seeded from <see cref="GaussiansConfig.Seed"/>.
    /// </summary>
    /// <remarks>Goes through the checkpoint cache; retrain = true trains even when it holds this run.</remarks>
    public static Trained<GaussianVae> TrainVae(GaussiansConfig cfg, Tensor train, bool retrain = false) => TrainVaes(cfg, [cfg.Seed], train, retrain)[0];

    /// <summary><see cref="TrainVae"/> for each seed, trained together as
    /// <see cref="TrainAutoencoders(GaussiansConfig, IReadOnlyList{int}, Tensor, bool)"/> trains its runs (<see cref="BatchedGaussianVae"/>).</summary>
    public static IReadOnlyList<Trained<GaussianVae>> TrainVaes(GaussiansConfig cfg, IReadOnlyList<int> seeds, Tensor train, bool retrain = false) =>
        TrainVaes(cfg, seeds, train, retrain, null);

    /// <summary>The same, calling <c>initialised</c> with each seed's plain model after its initialisation (tests poison a member with it).</summary>
    internal static IReadOnlyList<Trained<GaussianVae>> TrainVaes(GaussiansConfig cfg, IReadOnlyList<int> seeds, Tensor train, bool retrain,
        Action<int, GaussianVae>? initialised) =>
        TrainMembers("vae", cfg, seeds, train, retrain, initialised,
            () => new GaussianVae((int)train.shape[1], cfg.HiddenDim, latentDim: 1, cfg.SamplesZ),
            (k, first) => new BatchedGaussianVae(k, first),
            (net, x, noise) =>
            {
                var eps = noise.Draw(x.shape[1], net.SamplesZ, net.LatentDim).to(x.device);
                var terms = GaussiansLoss.MemberVae(x, net.Forward(x, eps));
                var elbo = terms.Elbo.mean(new long[] { 1 });
                return new MemberTerms(-elbo, new Dictionary<string, Tensor>
                    { ["elbo"] = elbo, ["loglik"] = terms.LogLikelihood.mean(new long[] { 1 }), ["kl"] = terms.Kl.mean(new long[] { 1 }) });
            });

    /// <summary>The settings that shape the weights: the measurement sizes are no part of a cache key.</summary>
    static GaussiansConfig TrainingPart(GaussiansConfig cfg) => cfg with { EstimatorDraws = 0, EstimatorInputs = 0, GeneratedPoints = 0 };

    /// <summary>This experiment's checkpoint-cache name and entry format (4: the VAE's noise from a generator per run).</summary>
    internal static readonly CacheTag Cache = new("gaussians", 4);

    sealed record Pending<TModel>(int Index, int Seed, string Name, TModel Model, CacheEntry Entry);

    static IReadOnlyList<Trained<TModel>> TrainMembers<TModel, TBatched>(string name, GaussiansConfig cfg, IReadOnlyList<int> seeds, Tensor train,
        bool retrain, Action<int, TModel>? initialised, Func<TModel> make, Func<int, TModel, TBatched> batched,
        Func<TBatched, Tensor, MemberNoise, MemberTerms> step)
        where TModel : nn.Module where TBatched : nn.Module
    {
        cfg.Validate();
        if (seeds.Count == 0) return [];
        var runs = new Trained<TModel>[seeds.Count];
        string lastKey = "";
        var pending = new List<Pending<TModel>>();
        for (int i = 0; i < seeds.Count; i++)
        {
            var memberCfg = cfg with { Seed = seeds[i] };
            Lab.Seed(seeds[i]);  // the initial weights follow the seed, as the batch order does
            var model = make();
            initialised?.Invoke(seeds[i], model);
            model.to(Lab.Device);
            var entry = CheckpointCache.Entry(Cache.For(name), TrainingPart(memberCfg), new[] { train }, new nn.Module[] { model });
            lastKey = entry.Key;
            string memberName = seeds.Count == 1 ? name : $"{name}, seed {seeds[i]}";
            if (!retrain && CheckpointCache.TryLoad<History>(entry, new nn.Module[] { model }, out var cached))
                runs[i] = new Trained<TModel>(memberName, cached, model) { FromCache = true };
            else pending.Add(new Pending<TModel>(i, seeds[i], memberName, model, entry));
        }
        var stopped = new List<(string, NonFiniteLossException?)>();  // runs whose loss became non-finite
        using var x = train.to(Lab.Device);
        foreach (var chunk in pending.Chunk(cfg.BatchedMembers))
        {
            using var net = batched(chunk.Length, chunk[0].Model);
            net.to(Lab.Device);
            for (int k = 0; k < chunk.Length; k++) Members.Load(net, k, chunk[k].Model);
            using var opt = Optimizers.Adam(net.parameters(), cfg.LearningRate);
            using var noise = new MemberNoise(chunk.Select(c => c.Seed));
            net.train();
            var outcomes = MemberTraining.Run(chunk.Select(c => c.Name).ToArray(), chunk.Select(c => new BatchLoader(x, null, cfg.BatchSize, c.Seed)).ToArray(),
                cfg.Epochs, net, opt, (batch, _) => step(net, batch, noise), recordSteps: true);
            for (int k = 0; k < chunk.Length; k++)
            {
                var c = chunk[k];
                Members.Store(net, k, c.Model);
                if (outcomes[k].Diverged is { } e) { stopped.Add((c.Name, e)); continue; }
                CheckpointCache.Save(c.Entry, new nn.Module[] { c.Model }, outcomes[k].History);
                runs[c.Index] = new Trained<TModel>(c.Name, outcomes[k].History, c.Model);
            }
        }
        MemberTraining.ThrowIfAnyDiverged(stopped);
        CheckpointCache.ReseedAfter(lastKey);  // the same draws after this call, whichever runs came from the cache
        return runs;
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
