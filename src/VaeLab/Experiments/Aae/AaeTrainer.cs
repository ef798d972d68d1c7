using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Experiments.Aae;

/// <summary>What one phase did: its loss, and whether the optimizer stepped (false when the loss was not finite).</summary>
public sealed record PhaseResult(Tensor Loss, bool Updated)
{
    /// <summary>The detached loss after an update; the loss as it was when the update was skipped.</summary>
    public static PhaseResult Of(Tensor loss, bool updated) => new(updated ? loss.detach() : loss, updated);
}

/// <summary>The discriminator phase's loss and D's accuracy on that batch's real and fake codes.</summary>
public sealed record DiscriminatorPhaseResult(Tensor Loss, Tensor Accuracy, bool Updated);

/// <summary>
/// Trains the adversarial autoencoder (unsupervised, or supervised when <c>conditionClasses</c> &gt; 0: the decoder
/// then sees the one-hot label next to z). Each minibatch runs the document's three phases, each with its own
/// optimizers, so that each phase moves only its own networks:
/// (1) <see cref="ReconstructionPhase"/>: BCE, steps P and Q (Adam, gen_lr);
/// (2) <see cref="DiscriminatorPhase"/>: Q in eval mode, prior samples as real, Q(x) as fake, steps D (reg_lr);
/// (3) <see cref="GeneratorPhase"/>: Q in train mode, −mean log D(Q(x)), steps Q (a second Adam, reg_lr).
/// </summary>
public sealed class AaeTrainer
{
    readonly optim.Optimizer _decoderOpt, _encoderOpt, _generatorOpt, _discriminatorOpt;

    public AaeConfig Config { get; }
    public AaeEncoder Q { get; }
    public AaeDecoder P { get; }
    public AaeDiscriminator D { get; }
    /// <summary>Number of classes whose one-hot label the decoder receives (0 = unsupervised).</summary>
    public int ConditionClasses { get; }

    /// <summary>Builds Q, P and D on <see cref="Lab.Device"/>, then their optimizers.</summary>
    public AaeTrainer(AaeConfig config, int conditionClasses = 0, int inputDim = 784)
    {
        Config = config.Validate();
        if (conditionClasses < 0) throw new ArgumentOutOfRangeException(nameof(conditionClasses), conditionClasses,
            "conditionClasses must be ≥ 0 (0 = unsupervised).");
        ConditionClasses = conditionClasses;
        Q = new AaeEncoder(inputDim, config.HiddenDim, config.LatentDim, config.Dropout);
        P = new AaeDecoder(config.LatentDim, conditionClasses, config.HiddenDim, inputDim, config.Dropout);
        D = new AaeDiscriminator(config.LatentDim, config.HiddenDim, config.Dropout);
        Q.to(Lab.Device); P.to(Lab.Device); D.to(Lab.Device);
        // Two optimizers for Q, as in the document: its reconstruction and generator updates keep separate moments.
        _decoderOpt = Optimizers.Adam(P.parameters(), config.ReconstructionLr);
        _encoderOpt = Optimizers.Adam(Q.parameters(), config.ReconstructionLr);
        _generatorOpt = Optimizers.Adam(Q.parameters(), config.RegularizationLr);
        _discriminatorOpt = Optimizers.Adam(D.parameters(), config.RegularizationLr);
    }


    /// <summary>A trainer whose networks are initialised right after <c>Lab.Seed(config.Seed)</c>: one more seed of a
    /// run, its initial weights fixed by its seed alone (the seed also orders its batches).</summary>
    public static AaeTrainer Seeded(AaeConfig config, int conditionClasses = 0)
    {
        Lab.Seed(config.Seed);
        return new AaeTrainer(config, conditionClasses);
    }

    Tensor? Condition(Tensor? labels, long n)
    {
        if (ConditionClasses == 0) return null;
        if (labels is null) throw new ArgumentException($"This supervised AAE's decoder needs labels (0..{ConditionClasses - 1}) with each batch.",
            nameof(labels));
        if (labels.shape[0] != n) throw new ArgumentException($"{labels.shape[0]} labels for {n} images.", nameof(labels));
        return nn.functional.one_hot(labels.to_type(ScalarType.Int64), ConditionClasses).to_type(ScalarType.Float32);
    }

    /// <summary>
    /// Phase 1: reconstruction loss −log p(x | P(Q(x))) (BCE from logits, sum over pixels, mean over the batch),
    /// stepping P and Q. Labels are needed only by the supervised variant.
    /// </summary>
    /// <param name="guard">The training loop's step context: a non-finite loss skips or stops the update; null for none.</param>
    public PhaseResult ReconstructionPhase(Tensor x, Tensor? labels = null, StepContext? guard = null)
    {
        Q.train(); P.train();
        var logits = P.Decode(Q.forward(x), Condition(labels, x.shape[0]));
        var loss = (-Bernoulli.LogLikelihood(logits, x)).mean();  // sum over pixels, mean over the batch
        return PhaseResult.Of(loss, TrainStep.Update(guard, "reconstruction", loss, _decoderOpt, _encoderOpt));
    }

    /// <summary>
    /// Phase 2: D learns to tell prior samples N(0, PriorStd²·I) from codes Q(x) computed with Q in eval mode (no
    /// dropout, no gradient into Q); steps D only.
    /// </summary>
    public DiscriminatorPhaseResult DiscriminatorPhase(Tensor x, StepContext? guard = null)
    {
        D.train();
        Tensor zFake;
        using (Inference.Evaluating(Q)) zFake = Q.forward(x);
        var zReal = AaePriors.Gaussian(x.shape[0], Config.LatentDim, Config.PriorStd, x.device);
        var dReal = D.forward(zReal);
        var dFake = D.forward(zFake);
        var loss = Adversarial.DiscriminatorLoss(dReal, dFake, Config.Tiny);
        var accuracy = Adversarial.Accuracy(dReal.detach(), dFake.detach());
        bool updated = TrainStep.Update(guard, "discriminator", loss, _discriminatorOpt);
        return new DiscriminatorPhaseResult(updated ? loss.detach() : loss, accuracy, updated);
    }

    /// <summary>Phase 3: Q (train mode) as the generator, loss −mean log D(Q(x)); steps Q only (D's gradients are discarded).</summary>
    public PhaseResult GeneratorPhase(Tensor x, StepContext? guard = null)
    {
        Q.train(); D.train();
        var loss = Adversarial.GeneratorLoss(D.forward(Q.forward(x)), Config.Tiny);
        return PhaseResult.Of(loss, TrainStep.Update(guard, "generator", loss, _generatorOpt));
    }

    /// <summary>
    /// Trains for <see cref="AaeConfig.Epochs"/> over <paramref name="x"/> (N×784 in [0,1]) through
    /// <see cref="TrainLoop.Run"/>; <paramref name="labels"/> (int64, N) are required by the supervised variant.
    /// Records per epoch: reconstruction, discriminator, generator loss and D's batch accuracy.
    /// </summary>
    public History Train(Tensor x, Tensor? labels = null, Action<int, History>? onEpochEnd = null, string name = "AAE") =>
        Train(x, labels, onEpochEnd, name, resumed: null);

    History Train(Tensor x, Tensor? labels, Action<int, History>? onEpochEnd, string name, EpochCheckpoint.State? resumed)
    {
        AaeInput.CheckImages(x, Q.InputDim, nameof(x));
        if (ConditionClasses > 0 && labels is null) throw new ArgumentException("The supervised AAE needs training labels.", nameof(labels));
        var loader = new BatchLoader(x, ConditionClasses > 0 ? labels : null, Config.BatchSize, Config.Seed, dropLast: x.shape[0] >= Config.BatchSize);
        return TrainLoop.Run(name, Config.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
        {
            var xb = batch.X.to(Lab.Device);
            var yb = batch.Y?.to(Lab.Device);
            var recon = ReconstructionPhase(xb, yb, ctx);
            if (!recon.Updated) return null;
            var disc = DiscriminatorPhase(xb, ctx);
            if (!disc.Updated) return null;
            var gen = GeneratorPhase(xb, ctx);
            if (!gen.Updated) return null;
            return new Dictionary<string, Tensor>
            {
                ["reconstruction"] = recon.Loss, ["discriminator"] = disc.Loss,
                ["generator"] = gen.Loss, ["D accuracy"] = disc.Accuracy,
            };
        }, onEpochEnd, history: resumed?.History, startEpoch: resumed?.EpochsDone ?? 0);
    }

    /// <summary>
    /// <see cref="Train"/> through the checkpoint cache: with the same configuration, data and initial weights a
    /// re-run loads Q, P, D and the history instead of training (<paramref name="retrain"/> forces training). While
    /// training, an <see cref="EpochCheckpoint"/> is saved after an epoch at most once a minute, and a stopped run
    /// resumes from it.
    /// </summary>
    public TrainingRun TrainCached(Tensor x, Tensor? labels = null, string name = "AAE", bool retrain = false)
    {
        var modules = new nn.Module[] { Q, P, D };
        var entry = CheckpointCache.Entry(Cache.For(ConditionClasses > 0 ? "supervised" : "unsupervised"), new { Config, ConditionClasses },
            new[] { x, ConditionClasses > 0 ? labels : null }, modules);
        var run = CheckpointCache.LoadOrTrain(entry, modules, partial =>
            {
                var checkpoint = new EpochCheckpoint(partial, modules, new[] { _decoderOpt, _encoderOpt, _generatorOpt, _discriminatorOpt });
                var resumed = checkpoint.Resume(name);
                return Train(x, labels, (e, h) => { if (e + 1 < Config.Epochs) checkpoint.SaveIfDue(e + 1, h); }, name, resumed);
            }, retrain);
        return new TrainingRun(name, run.Result) { FromCache = run.FromCache };
    }

    /// <summary>The AAE experiment's checkpoint-cache name and entry format (all three AAEs).</summary>
    internal static readonly CacheTag Cache = new("aae", 2);

    /// <summary>Codes Q(x) in eval mode (no dropout), N×latent on the CPU.</summary>
    public Tensor Encode(Tensor x) => Inference.Rows(x.shape[0], Inference.DefaultBatch, (s, n) => Q.forward(x.narrow(0, s, n).to(Lab.Device)), Q);

    /// <summary>Pixel probabilities sigmoid(P(z[, one-hot label])) in eval mode, N×784 on the CPU.</summary>
    public Tensor Decode(Tensor z, Tensor? labels = null)
    {
        var condition = Condition(labels, z.shape[0]);
        return Inference.Rows(z.shape[0], Inference.DefaultBatch,
            (s, n) => torch.sigmoid(P.Decode(z.narrow(0, s, n).to(Lab.Device), condition?.narrow(0, s, n).to(Lab.Device))), P);
    }

    /// <summary>
    /// D's accuracy (eval mode, threshold ½) on the codes of <paramref name="x"/> against as many fresh prior
    /// samples; ½ means D cannot tell the aggregated posterior from the prior.
    /// </summary>
    public double DiscriminatorAccuracy(Tensor x)
    {
        using var _ = torch.NewDisposeScope();
        var z = Encode(x);
        var real = AaePriors.Gaussian(z.shape[0], Config.LatentDim, Config.PriorStd);
        var dFake = Inference.Rows(z.shape[0], Inference.DefaultBatch, (s, n) => D.forward(z.narrow(0, s, n).to(Lab.Device)), D);
        var dReal = Inference.Rows(real.shape[0], Inference.DefaultBatch, (s, n) => D.forward(real.narrow(0, s, n).to(Lab.Device)), D);
        return Adversarial.Accuracy(dReal, dFake).item<float>();
    }
    /// <summary>
    /// A post-hoc two-sample test of the aggregated posterior against the prior: a fresh classifier
    /// (<see cref="ClassifierTwoSampleTest"/>) learns to tell the codes of <paramref name="x"/> (eval mode) from as
    /// many N(0, PriorStd²·I) samples on half of each and is scored on the other halves. The prior samples and the
    /// classifier come from <paramref name="seed"/> alone. ½ means the codes cannot be told from the prior.
    /// </summary>
    public TwoSampleResult CodesVsPriorTwoSample(Tensor x, int seed = 0)
    {
        using var _ = torch.NewDisposeScope();
        var z = Encode(x);
        Tensor prior;
        using (var g = new torch.Generator(unchecked((ulong)seed + 31_337))) prior = torch.randn(z.shape[0], z.shape[1], generator: g) * Config.PriorStd;
        return ClassifierTwoSampleTest.Run(z, prior, seed);
    }
}
