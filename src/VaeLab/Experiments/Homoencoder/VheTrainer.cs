using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Metrics;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>
/// A finished run. History holds per-epoch means (and per-step values) of loss, recon, kl_c, kl_z (nats per
/// example) and grad_z, grad_c: the mean over examples of ‖∂loss_i/∂z_i‖ and ‖∂loss_i/∂c_i‖ (L2, through every
/// path: c also feeds q(z|x,c), p(z|c) and the decoder).
/// </summary>
/// <param name="Name">Shown in progress and figure legends.</param>
/// <param name="History">Per-epoch (and per-step) values named above.</param>
/// <param name="Model">The trained <see cref="Vhe"/> or <see cref="VheBaselineVae"/>.</param>
/// <param name="Purity">Unsupervised runs: purity of the pseudo-labels used in each epoch against the true labels,
/// then of a clustering of the final codes (Epochs + 1 values). Empty otherwise.</param>
/// <param name="Nmi">As <paramref name="Purity"/>, normalised mutual information.</param>
/// <param name="Codes">Unsupervised runs: each example's last recorded [c, z] means, N×2·code.</param>
public sealed record VheRun(string Name, History History, nn.Module Model, IReadOnlyList<double> Purity, IReadOnlyList<double> Nmi, Tensor? Codes)
    : TrainingRun(Name, History)
{
    /// <summary>Per-epoch ratio mean‖∂loss/∂c‖ / mean‖∂loss/∂z‖.</summary>
    public IReadOnlyList<double> GradientRatioCToZ => History["grad_c"].Zip(History["grad_z"], (c, z) => c / z).ToArray();
}

/// <summary>Trains the baseline VAE, the supervised VHE and the unsupervised (KMeans pseudo-label) VHE.</summary>
public static class VheTrainer
{
    /// <summary>The baseline VAE on a dataset's first <see cref="VheConfig.TrainExamples"/> images.</summary>
    public static VheRun TrainVae(VheConfig cfg, ImageDataset train, string name = "VAE", bool retrain = false)
        => TrainVae(cfg, train.Images, train.Labels, name, retrain);

    /// <summary>The supervised VHE on a dataset (D from the true class).</summary>
    public static VheRun TrainSupervised(VheConfig cfg, ImageDataset train, string name = "VHE (supervised)", bool retrain = false)
        => TrainSupervised(cfg, train.Images, train.Labels, name, retrain);

    /// <summary>The unsupervised VHE on a dataset (labels only scored, never used for D).</summary>
    public static VheRun TrainUnsupervised(VheConfig cfg, ImageDataset train, string name = "VHE (unsupervised)", bool retrain = false)
        => TrainUnsupervised(cfg, train.Images, train.Labels, name, retrain);

    /// <summary>The baseline VAE (latent 2·code, so its decoder sees as many numbers as the VHE's [z, c]).</summary>
    /// <remarks>Goes through the checkpoint cache; retrain = true trains even when it holds this run.</remarks>
    public static VheRun TrainVae(VheConfig cfg, Tensor images, Tensor labels, string name = "VAE", bool retrain = false)
    {
        var (x, _) = Prepare(cfg, images, labels);
        Lab.Seed(cfg.Seed);
        var model = new VheBaselineVae(2 * cfg.LatentDim, cfg.HiddenDim).to(Lab.Device);
        var modules = new nn.Module[] { model };
        var entry = CheckpointCache.Entry(Cache.For("baseline-vae"), cfg with { Clusters = 0, KMeansIterations = 0, SetSize = 0 }, new[] { x }, modules);
        var run = CheckpointCache.LoadOrTrain(entry, modules, _ =>
        {
            using var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
            var loader = new BatchLoader(x, null, cfg.BatchSize, cfg.Seed);
            var h = TrainLoop.Run(name, cfg.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) => VaeStep(model, opt, batch.X, ctx), recordSteps: true);
            return new VheRecord(h, new List<double>(), new List<double>());
        }, retrain);
        return new VheRun(name, run.Result.History, model, Array.Empty<double>(), Array.Empty<double>(), null) { FromCache = run.FromCache };
    }

    /// <summary>This experiment's checkpoint-cache name and entry format.</summary>
    internal static readonly CacheTag Cache = new("homoencoder", 2);

    /// <summary>What a run records, as stored in the checkpoint cache.</summary>
    public sealed record VheRecord(History History, List<double> Purity, List<double> Nmi);

    /// <summary>The VHE with D drawn from x's true class.</summary>
    public static VheRun TrainSupervised(VheConfig cfg, Tensor images, Tensor labels, string name = "VHE (supervised)", bool retrain = false)
    {
        var (x, y) = Prepare(cfg, images, labels);
        var classes = new SetSampler(y.cpu().data<long>().ToArray(), cfg.Seed + 7919);
        return TrainVhe(cfg, x, y, name, _ => classes, unsupervised: false, retrain);
    }

    /// <summary>
    /// The VHE with D drawn from x's pseudo-class: every example starts with a code [c, z] ~ N(0, I); before each
    /// epoch KMeans clusters the current codes and the cluster ids become the pseudo-labels; each step records its
    /// examples' new codes (posterior means). <paramref name="labels"/> are used only for purity and NMI.
    /// </summary>
    public static VheRun TrainUnsupervised(VheConfig cfg, Tensor images, Tensor labels, string name = "VHE (unsupervised)", bool retrain = false)
    {
        var (x, y) = Prepare(cfg, images, labels);
        return TrainVhe(cfg, x, y, name, null, unsupervised: true, retrain);
    }

    static VheRun TrainVhe(VheConfig cfg, Tensor x, Tensor y, string name, Func<int, SetSampler>? supervised, bool unsupervised, bool retrain)
    {
        Lab.Seed(cfg.Seed);
        int n = (int)x.shape[0];
        var model = new Vhe(cfg.LatentDim, cfg.HiddenDim).to(Lab.Device);
        Tensor? codes = unsupervised ? torch.randn(n, 2 * cfg.LatentDim, device: x.device) : null;
        var modules = new List<nn.Module> { model };
        if (codes is not null) modules.Add(new TensorStore("codes", codes));
        // Labels drive D in the supervised run and are scored against the pseudo-labels in the unsupervised one.
        var entry = CheckpointCache.Entry(Cache.For(unsupervised ? "unsupervised" : "supervised"), cfg, new[] { x, y }, modules);
        var run = CheckpointCache.LoadOrTrain(entry, modules, _ => FitVhe(cfg, x, y, name, supervised, unsupervised, model, codes), retrain);
        return new VheRun(name, run.Result.History, model, run.Result.Purity, run.Result.Nmi, codes) { FromCache = run.FromCache };
    }

    static VheRecord FitVhe(VheConfig cfg, Tensor x, Tensor y, string name, Func<int, SetSampler>? supervised, bool unsupervised, Vhe model, Tensor? codes)
    {
        using var opt = Optimizers.Adam(model.parameters(), cfg.LearningRate);
        var purity = new List<double>();
        var nmi = new List<double>();
        SetSampler sampler = null!;

        void Recluster(int round)
        {
            var km = new KMeans(cfg.Clusters, cfg.Seed + round, cfg.KMeansIterations).Fit(codes!);
            purity.Add(ClusterAgreement.Purity(y, km.Labels));
            nmi.Add(ClusterAgreement.Nmi(y, km.Labels));
            sampler = new SetSampler(km.Labels.cpu().data<long>().ToArray(), cfg.Seed + 7919 + round);
            km.Centroids.Dispose(); km.Labels.Dispose();
        }

        var loader = new BatchLoader(x, null, cfg.BatchSize, cfg.Seed);
        IEnumerable<Batch> EpochBatches(int e)
        {
            if (unsupervised) Recluster(e); else sampler = supervised!(e);
            return loader.Epoch(e);
        }

        var h = TrainLoop.Run(name, cfg.Epochs, loader.BatchesPerEpoch, EpochBatches, (batch, ctx) =>
        {
            var idx = batch.RowArray();
            var xb = batch.X;
            var sets = x.index_select(0, torch.tensor(sampler.Draw(idx, cfg.SetSize), device: x.device)).reshape(idx.Length, cfg.SetSize, -1);
            var weights = torch.tensor(sampler.ClassKlWeights(idx, cfg.SetSize, cfg.ClassKlWeight), device: x.device);
            var (terms, o) = VheStep(model, opt, xb, sets, weights, ctx);
            if (codes is not null && o is not null)
                using (torch.no_grad()) codes.index_copy_(0, batch.Rows.to(x.device), torch.cat(new[] { o.CMean, o.ZMean }, 1).detach());
            return terms;
        }, onEpochEnd: (e, _) => { if (unsupervised && e == cfg.Epochs - 1) Recluster(cfg.Epochs); }, recordSteps: true);
        return new VheRecord(h, purity, nmi);
    }

    /// <summary>
    /// One VHE training step: forward, loss (batch mean of <see cref="HomoencoderLoss.Vhe"/>), backward, update.
    /// Also measures the per-example gradient norms w.r.t. the sampled z and c. Returns the scalar terms (null
    /// when the non-finite guard skips the batch) and the forward output.
    /// </summary>
    public static (IReadOnlyDictionary<string, Tensor>? Terms, VheOutput? Output) VheStep(Vhe model, optim.Optimizer opt, Tensor x, Tensor sets,
        Tensor classKlWeight, StepContext ctx)
    {
        var o = model.forward(x, sets);
        o.Z.retain_grad();
        o.C.retain_grad();
        var t = HomoencoderLoss.Vhe(x, o, classKlWeight);
        var loss = t.Total.mean();
        if (!TrainStep.Update(ctx, "loss", loss, opt)) return (null, null);
        long b = x.shape[0];
        // loss is a batch mean and z_i, c_i reach only example i's term: ∂loss_i/∂z_i = b · ∂loss/∂z_i.
        return (new Dictionary<string, Tensor>
        {
            ["loss"] = loss, ["recon"] = t.Reconstruction.mean(), ["kl_c"] = t.KlC.mean(), ["kl_z"] = t.KlZ.mean(),
            ["grad_z"] = (o.Z.grad! * b).norm(1).mean(), ["grad_c"] = (o.C.grad! * b).norm(1).mean(),
        }, o);
    }

    /// <summary>One baseline-VAE training step (batch mean of <see cref="HomoencoderLoss.Vae"/>).</summary>
    public static IReadOnlyDictionary<string, Tensor>? VaeStep(VheBaselineVae model, optim.Optimizer opt, Tensor x, StepContext ctx)
    {
        var o = model.forward(x);
        o.Z.retain_grad();
        var t = HomoencoderLoss.Vae(x, o);
        var loss = t.Total.mean();
        if (!TrainStep.Update(ctx, "loss", loss, opt)) return null;
        return new Dictionary<string, Tensor>
        {
            ["loss"] = loss, ["recon"] = t.Reconstruction.mean(), ["kl_z"] = t.KlZ.mean(),
            ["grad_z"] = (o.Z.grad! * x.shape[0]).norm(1).mean(),
        };
    }

    static (Tensor X, Tensor Y) Prepare(VheConfig cfg, Tensor images, Tensor labels)
    {
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"images ({images.shape[0]}) and labels ({labels.shape[0]}) must have one row per example.");
        cfg.Validate();
        long n = cfg.TrainExamples <= 0 ? images.shape[0] : Math.Min(cfg.TrainExamples, images.shape[0]);
        if (cfg.TrainExamples > images.shape[0])
            VaeLab.Reporting.RunLog.Current.Warn($"TrainExamples = {cfg.TrainExamples} but the data has {images.shape[0]} examples; using all of them.");
        var slice = TensorIndex.Slice(0, n);
        var x = images[slice].reshape(n, -1).to(ScalarType.Float32).to(Lab.Device);
        var y = labels[slice].to(ScalarType.Int64);
        return (x, y);
    }
}

/// <summary>Draws the set D for each example from the examples that share its (pseudo-)label.</summary>
internal sealed class SetSampler
{
    readonly long[] labelOf;
    readonly Dictionary<long, long[]> members;
    readonly Random rng;

    public SetSampler(long[] labels, int seed)
    {
        labelOf = labels;
        members = labels.Select((l, i) => (l, i: (long)i)).GroupBy(t => t.l).ToDictionary(g => g.Key, g => g.Select(t => t.i).ToArray());
        rng = new Random(seed);
    }

    /// <summary>
    /// |D| indices per example, flattened (example-major). Without replacement when the class has ≥ |D| members,
    /// with replacement otherwise; x itself may be drawn, as D is any subset of x's class.
    /// </summary>
    public long[] Draw(long[] examples, int setSize)
    {
        var result = new long[examples.Length * setSize];
        var seen = new HashSet<long>();
        for (int i = 0; i < examples.Length; i++)
        {
            var pool = members[labelOf[examples[i]]];
            seen.Clear();
            for (int j = 0; j < setSize; j++)
            {
                long pick;
                do pick = pool[rng.Next(pool.Length)];
                while (pool.Length >= setSize && !seen.Add(pick));
                result[i * setSize + j] = pick;
            }
        }
        return result;
    }

    /// <summary>The class-code KL weight of each example.</summary>
    public float[] ClassKlWeights(long[] examples, int setSize, ClassKlWeighting weighting) =>
        examples.Select(e => weighting == ClassKlWeighting.SetSize ? 1f / setSize : 1f / members[labelOf[e]].Length).ToArray();
}
