using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The semi-supervised AAE's classifier trained on the labelled examples alone: the same network
/// (<see cref="SemiSupervisedAaeEncoder"/>: trunk and class head, dropout), the same optimizer (Adam at
/// <see cref="SemiSupervisedAaeConfig.ClassificationLr"/>), the same stream of labelled batches (same loader, seed
/// and batch size as <see cref="SemiSupervisedAaeTrainer"/>) and the same number of classification steps, but none
/// of the three unlabelled phases. What the semi-supervised AAE gains over this is what its unlabelled images gave.
/// </summary>
public sealed class LabelledOnlyClassifier
{
    readonly optim.Optimizer _opt;

    public SemiSupervisedAaeConfig Config { get; }
    public SemiSupervisedAaeEncoder Q { get; }

    /// <summary>Builds the encoder on <see cref="Lab.Device"/> and its optimizer.</summary>
    public LabelledOnlyClassifier(SemiSupervisedAaeConfig config, int inputDim = 784)
    {
        Config = config.Validate();
        Q = new SemiSupervisedAaeEncoder(inputDim, config.HiddenDim, config.Classes, config.LatentDim, config.Dropout);
        Q.to(Lab.Device);
        _opt = Optimizers.Adam(Q.parameters(), config.ClassificationLr);
    }

    /// <summary>A classifier initialised right after <c>Lab.Seed(config.Seed)</c> (one more seed of a run).</summary>
    public static LabelledOnlyClassifier Seeded(SemiSupervisedAaeConfig config)
    {
        Lab.Seed(config.Seed);
        return new LabelledOnlyClassifier(config);
    }

    /// <summary>
    /// The classification steps a <see cref="SemiSupervisedAaeTrainer"/> with this config takes over
    /// <paramref name="unlabelledCount"/> unlabelled images: one per unlabelled minibatch, Epochs × batches per epoch.
    /// </summary>
    public static int StepsPerEpoch(SemiSupervisedAaeConfig config, long unlabelledCount) =>
        unlabelledCount >= config.BatchSize ? (int)(unlabelledCount / config.BatchSize) : 1;

    /// <summary>
    /// Trains for <see cref="SemiSupervisedAaeConfig.Epochs"/> × <see cref="StepsPerEpoch"/> steps of cross-entropy on
    /// the labelled set (cycled, as the semi-supervised trainer cycles it). Records the training loss per epoch, and
    /// the test error (%) as "test error %" when test images are given.
    /// </summary>
    public History Train(Tensor labelledX, Tensor labelledY, long unlabelledCount, Tensor? testX = null, Tensor? testY = null,
        string name = "labelled-only classifier")
    {
        AaeInput.CheckImages(labelledX, (int)labelledX.shape[1], nameof(labelledX));
        if (labelledY.shape[0] != labelledX.shape[0]) throw new ArgumentException($"{labelledY.shape[0]} labels for {labelledX.shape[0]} labelled images.",
            nameof(labelledY));
        var labelled = new BatchLoader(labelledX, labelledY, Math.Min(Config.BatchSize, (int)labelledX.shape[0]), Config.Seed + 1_000_003, dropLast: true);
        var cycle = labelled.Cycle();
        int perEpoch = StepsPerEpoch(Config, unlabelledCount);
        IEnumerable<Batch> Epoch(int _) { for (int i = 0; i < perEpoch; i++) yield return cycle.Next(); }
        return TrainLoop.Run(name, Config.Epochs, perEpoch, Epoch, (batch, ctx) =>
        {
            Q.train();
            var loss = nn.functional.cross_entropy(Q.forward(batch.X.to(Lab.Device)).ClassLogits, batch.Y!.to(Lab.Device).to_type(ScalarType.Int64));
            if (!TrainStep.Update(ctx, "classification", loss, _opt)) return null;
            return new Dictionary<string, Tensor> { ["classification"] = loss.detach() };
        }, (epoch, history) =>
        {
            if (testX is not null && testY is not null)
                history.AddEpoch(new Dictionary<string, double> { ["test error %"] = 100 * ErrorRate(testX, testY) });
        });
    }

    /// <summary><see cref="Train"/> through the checkpoint cache (same config, data and initial weights: loaded, not trained).</summary>
    public TrainingRun TrainCached(Tensor labelledX, Tensor labelledY, long unlabelledCount, Tensor? testX = null, Tensor? testY = null,
                                   string name = "labelled-only classifier", bool retrain = false)
    {
        var modules = new nn.Module[] { Q };
        var entry = CheckpointCache.Entry(AaeTrainer.Cache.For("labelled-only"), new { Config, unlabelledCount }, new[] { labelledX, labelledY, testX, testY },
            modules);
        var run = CheckpointCache.LoadOrTrain(entry, modules, _ => Train(labelledX, labelledY, unlabelledCount, testX, testY, name), retrain);
        return new TrainingRun(name, run.Result) { FromCache = run.FromCache };
    }

    /// <summary>Predicted classes, int64 on the CPU (eval mode).</summary>
    public Tensor Predict(Tensor x)
        => Inference.Rows(x.shape[0], Inference.DefaultBatch, (s, n) => Q.forward(x.narrow(0, s, n).to(Lab.Device)).ClassLogits.argmax(1), Q);

    /// <summary>Fraction of <paramref name="x"/> whose predicted class differs from <paramref name="labels"/>.</summary>
    public double ErrorRate(Tensor x, Tensor labels)
    {
        using var _ = torch.NewDisposeScope();
        return Predict(x).ne(labels.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }
}
