using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// Trains the semi-supervised adversarial autoencoder. Each minibatch of (all, unlabelled) training images runs
/// the AAE's three phases on the two codes, then a supervised phase on a batch of the few labelled examples:
/// (1) <see cref="ReconstructionPhase"/>: BCE of P([z, y]) against x, steps P and Q;
/// (2) <see cref="DiscriminatorPhase"/>: Q in eval mode; D_cat learns one-hot prior samples against y, D_gauss
///     N(0, PriorStd²·I) samples against z; steps both discriminators;
/// (3) <see cref="GeneratorPhase"/>: Q in train mode fools both, −mean log D_cat(y) − mean log D_gauss(z), steps Q;
/// (4) <see cref="ClassificationPhase"/>: cross-entropy of y's logits on labelled examples, steps Q.
/// </summary>
public sealed class SemiSupervisedAaeTrainer
{
    readonly optim.Optimizer _decoderOpt, _encoderOpt, _generatorOpt, _gaussOpt, _catOpt, _classifierOpt;

    public SemiSupervisedAaeConfig Config { get; }
    public SemiSupervisedAaeEncoder Q { get; }
    public AaeDecoder P { get; }
    /// <summary>Discriminator of the style code against the Gaussian prior.</summary>
    public AaeDiscriminator DGauss { get; }
    /// <summary>Discriminator of the class code against the categorical prior.</summary>
    public AaeDiscriminator DCat { get; }

    /// <summary>Builds Q, P, D_gauss and D_cat on <see cref="Lab.Device"/>, then their optimizers.</summary>
    public SemiSupervisedAaeTrainer(SemiSupervisedAaeConfig config, int inputDim = 784)
    {
        Config = config.Validate();
        Q = new SemiSupervisedAaeEncoder(inputDim, config.HiddenDim, config.Classes, config.LatentDim, config.Dropout);
        P = new AaeDecoder(config.LatentDim, config.Classes, config.HiddenDim, inputDim, config.Dropout);
        DGauss = new AaeDiscriminator(config.LatentDim, config.HiddenDim, config.Dropout);
        DCat = new AaeDiscriminator(config.Classes, config.HiddenDim, config.Dropout);
        Q.to(Lab.Device); P.to(Lab.Device); DGauss.to(Lab.Device); DCat.to(Lab.Device);
        _decoderOpt = Optimizers.Adam(P.parameters(), config.ReconstructionLr);
        _encoderOpt = Optimizers.Adam(Q.parameters(), config.ReconstructionLr);
        _generatorOpt = Optimizers.Adam(Q.parameters(), config.RegularizationLr);
        _gaussOpt = Optimizers.Adam(DGauss.parameters(), config.RegularizationLr);
        _catOpt = Optimizers.Adam(DCat.parameters(), config.RegularizationLr);
        _classifierOpt = Optimizers.Adam(Q.parameters(), config.ClassificationLr);
    }


    /// <summary>A trainer whose networks are initialised right after <c>Lab.Seed(config.Seed)</c> (one more seed of a run).</summary>
    public static SemiSupervisedAaeTrainer Seeded(SemiSupervisedAaeConfig config)
    {
        Lab.Seed(config.Seed);
        return new SemiSupervisedAaeTrainer(config);
    }

    /// <summary>Phase 1: −log p(x | P([z, y])) (BCE from logits, sum over pixels, mean over the batch); steps P and Q.</summary>
    public PhaseResult ReconstructionPhase(Tensor x, StepContext? guard = null)
    {
        Q.train(); P.train();
        var code = Q.forward(x);
        var loss = (-Bernoulli.LogLikelihood(P.Decode(code.Z, code.Y), x)).mean();  // sum over pixels, mean over the batch
        return PhaseResult.Of(loss, TrainStep.Update(guard, "reconstruction", loss, _decoderOpt, _encoderOpt));
    }

    /// <summary>
    /// Phase 2: both discriminators against codes from Q in eval mode (no gradient into Q). The loss is the sum of
    /// the categorical and the Gaussian discriminator losses; the accuracy is that of D_cat and D_gauss averaged.
    /// </summary>
    public DiscriminatorPhaseResult DiscriminatorPhase(Tensor x, StepContext? guard = null)
    {
        DGauss.train(); DCat.train();
        SemiSupervisedCode code;
        using (Inference.Evaluating(Q)) code = Q.forward(x);
        long n = x.shape[0];
        var zReal = AaePriors.Gaussian(n, Config.LatentDim, Config.PriorStd, x.device);
        var yReal = AaePriors.Categorical(n, Config.Classes, x.device);
        var dzReal = DGauss.forward(zReal); var dzFake = DGauss.forward(code.Z);
        var dyReal = DCat.forward(yReal); var dyFake = DCat.forward(code.Y);
        var loss = Adversarial.DiscriminatorLoss(dzReal, dzFake, Config.Tiny) + Adversarial.DiscriminatorLoss(dyReal, dyFake, Config.Tiny);
        var accuracy = 0.5 * (Adversarial.Accuracy(dzReal.detach(), dzFake.detach()) + Adversarial.Accuracy(dyReal.detach(), dyFake.detach()));
        bool updated = TrainStep.Update(guard, "discriminator", loss, _gaussOpt, _catOpt);
        return new DiscriminatorPhaseResult(updated ? loss.detach() : loss, accuracy, updated);
    }

    /// <summary>Phase 3: Q (train mode) fools both discriminators; steps Q only.</summary>
    public PhaseResult GeneratorPhase(Tensor x, StepContext? guard = null)
    {
        Q.train(); DGauss.train(); DCat.train();
        var code = Q.forward(x);
        var loss = Adversarial.GeneratorLoss(DGauss.forward(code.Z), Config.Tiny) + Adversarial.GeneratorLoss(DCat.forward(code.Y), Config.Tiny);
        return PhaseResult.Of(loss, TrainStep.Update(guard, "generator", loss, _generatorOpt));
    }

    /// <summary>Phase 4: cross-entropy of the class logits on labelled examples (mean over the batch); steps Q only.</summary>
    public PhaseResult ClassificationPhase(Tensor x, Tensor labels, StepContext? guard = null)
    {
        Q.train();
        var loss = nn.functional.cross_entropy(Q.forward(x).ClassLogits, labels.to_type(ScalarType.Int64));
        return PhaseResult.Of(loss, TrainStep.Update(guard, "classification", loss, _classifierOpt));
    }

    /// <summary>
    /// Trains for <see cref="SemiSupervisedAaeConfig.Epochs"/> passes over <paramref name="unlabelled"/> (N×784),
    /// pairing each of its minibatches with the next minibatch of the labelled set (cycled). After each epoch the
    /// test error (in %) is recorded as "test error %" when test images are given.
    /// </summary>
    public History Train(Tensor unlabelled, Tensor labelledX, Tensor labelledY, Tensor? testX = null, Tensor? testY = null,
                         Action<int, History>? onEpochEnd = null, string name = "semi-supervised AAE") =>
        Train(unlabelled, labelledX, labelledY, testX, testY, (e, h, _) => onEpochEnd?.Invoke(e, h), name, resumed: null);

    History Train(Tensor unlabelled, Tensor labelledX, Tensor labelledY, Tensor? testX, Tensor? testY,
                  Action<int, History, IReadOnlyDictionary<string, long>> onEpochEnd, string name, EpochCheckpoint.State? resumed)
    {
        AaeInput.CheckImages(unlabelled, P.OutputDim, nameof(unlabelled));
        AaeInput.CheckImages(labelledX, P.OutputDim, nameof(labelledX));
        if (labelledY.shape[0] != labelledX.shape[0]) throw new ArgumentException($"{labelledY.shape[0]} labels for {labelledX.shape[0]} labelled images.",
            nameof(labelledY));
        var loader = new BatchLoader(unlabelled, null, Config.BatchSize, Config.Seed, dropLast: unlabelled.shape[0] >= Config.BatchSize);
        var labelled = new BatchLoader(labelledX, labelledY, Math.Min(Config.BatchSize, (int)labelledX.shape[0]), Config.Seed + 1_000_003, dropLast: true);
        var labelledBatches = labelled.Cycle();
        if (resumed != null) labelledBatches.Restore(resumed.Counters);
        return TrainLoop.Run(name, Config.Epochs, loader.BatchesPerEpoch, loader.Epoch, (batch, ctx) =>
        {
            var xb = batch.X.to(Lab.Device);
            var recon = ReconstructionPhase(xb, ctx);
            if (!recon.Updated) return null;
            var disc = DiscriminatorPhase(xb, ctx);
            if (!disc.Updated) return null;
            var gen = GeneratorPhase(xb, ctx);
            if (!gen.Updated) return null;
            using var lb = labelledBatches.Next();
            var cls = ClassificationPhase(lb.X.to(Lab.Device), lb.Y!.to(Lab.Device), ctx);
            if (!cls.Updated) return null;
            return new Dictionary<string, Tensor>
            {
                ["reconstruction"] = recon.Loss, ["discriminator"] = disc.Loss, ["generator"] = gen.Loss,
                ["classification"] = cls.Loss, ["D accuracy"] = disc.Accuracy,
            };
        }, (epoch, history) =>
        {
            if (testX is not null && testY is not null)
                history.AddEpoch(new Dictionary<string, double> { ["test error %"] = 100 * ErrorRate(testX, testY) });
            onEpochEnd(epoch, history, labelledBatches.Counters);
        }, history: resumed?.History, startEpoch: resumed?.EpochsDone ?? 0);
    }

    /// <summary>
    /// <see cref="Train"/> through the checkpoint cache: with the same configuration, data and initial weights a
    /// re-run loads Q, P, D_gauss, D_cat and the history (test errors included) instead of training.
    /// </summary>
    public TrainingRun TrainCached(Tensor unlabelled, Tensor labelledX, Tensor labelledY, Tensor? testX = null, Tensor? testY = null,
                                   string name = "semi-supervised AAE", bool retrain = false)
    {
        var modules = new nn.Module[] { Q, P, DGauss, DCat };
        var entry = CheckpointCache.Entry(AaeTrainer.Cache.For("semi-supervised"), Config, new[] { unlabelled, labelledX, labelledY, testX, testY }, modules);
        var run = CheckpointCache.LoadOrTrain(entry, modules, partial =>
            {
                var checkpoint = new EpochCheckpoint(partial, modules, new[] { _decoderOpt, _encoderOpt, _generatorOpt, _gaussOpt, _catOpt, _classifierOpt });
                var resumed = checkpoint.Resume(name);
                return Train(unlabelled, labelledX, labelledY, testX, testY,
                    (e, h, counters) => { if (e + 1 < Config.Epochs) checkpoint.SaveIfDue(e + 1, h, counters); }, name, resumed);
            }, retrain);
        return new TrainingRun(name, run.Result) { FromCache = run.FromCache };
    }

    /// <summary>The encoder's codes in eval mode, on the CPU: y (class probabilities) and z (style).</summary>
    public (Tensor Y, Tensor Z) Encode(Tensor x)
    {
        var both = Inference.Rows(x.shape[0], Inference.DefaultBatch, (s, n) =>
        {
            var code = Q.forward(x.narrow(0, s, n).to(Lab.Device));
            return torch.cat(new[] { code.Y, code.Z }, 1);
        }, Q);
        return (both.narrow(1, 0, Config.Classes), both.narrow(1, Config.Classes, Config.LatentDim));
    }

    /// <summary>Predicted classes argmax y, int64 on the CPU.</summary>
    public Tensor Predict(Tensor x)
        => Inference.Rows(x.shape[0], Inference.DefaultBatch, (s, n) => Q.forward(x.narrow(0, s, n).to(Lab.Device)).ClassLogits.argmax(1), Q);

    /// <summary>Fraction of <paramref name="x"/> whose predicted class differs from <paramref name="labels"/>.</summary>
    public double ErrorRate(Tensor x, Tensor labels)
    {
        using var _ = torch.NewDisposeScope();
        return Predict(x).ne(labels.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Pixel probabilities sigmoid(P([z, y])) in eval mode, N×784 on the CPU.</summary>
    public Tensor Decode(Tensor z, Tensor y)
        => Inference.Rows(z.shape[0], Inference.DefaultBatch,
            (s, n) => torch.sigmoid(P.Decode(z.narrow(0, s, n).to(Lab.Device), y.narrow(0, s, n).to(Lab.Device))), P);
    /// <summary>
    /// Class-conditional samples: for each class k, <paramref name="perClass"/> styles z ~ N(0, PriorStd²·I) decoded
    /// with the one-hot y = k, in eval mode. The styles come from <paramref name="seed"/> alone, and every class gets
    /// the same styles (row k of a class × style grid is class k). Returns the pixel probabilities (classes·perClass
    /// × 784, class-major) and their classes (int64).
    /// </summary>
    public (Tensor Images, Tensor Classes) ConditionalSamples(int perClass, int seed)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "perClass must be ≥ 1.");
        Tensor styles;
        using (var g = new torch.Generator(unchecked((ulong)seed + 4_242))) styles = torch.randn(perClass, Config.LatentDim, generator: g) * Config.PriorStd;
        var z = styles.repeat(Config.Classes, 1);
        var classes = torch.arange(Config.Classes, dtype: ScalarType.Int64).repeat_interleave(perClass);
        var y = nn.functional.one_hot(classes, Config.Classes).to_type(ScalarType.Float32);
        return (Decode(z, y), classes);
    }

    /// <summary>
    /// How often a classifier trained on real labelled images recognises the class a sample was generated for:
    /// <paramref name="k"/>-NN with <paramref name="referenceX"/> / <paramref name="referenceY"/> as references, on
    /// <see cref="ConditionalSamples"/>(perClass, seed). Also returns the same classifier's accuracy on
    /// <paramref name="testX"/> / <paramref name="testY"/> (real held-out images), the scale to read it against.
    /// </summary>
    public (double OnSamples, double OnRealTest) ConditionalSampleRecognition(Tensor referenceX, Tensor referenceY, Tensor testX, Tensor testY,
                                                                             int perClass = 100, int seed = 0, int k = 5)
    {
        using var _ = torch.NewDisposeScope();
        var (images, classes) = ConditionalSamples(perClass, seed);
        return (VaeLab.Metrics.Knn.Accuracy(referenceX, referenceY, images, classes, k), VaeLab.Metrics.Knn.Accuracy(referenceX, referenceY, testX, testY, k));
    }
}
