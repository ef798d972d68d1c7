using System.Text.Json.Serialization;
using VaeLab.Data;

namespace VaeLab.Experiments.Collapse;

/// <summary>Hyperparameters of the posterior-collapse experiments (notebooks 03 and 04).</summary>
public sealed record CollapseConfig
{
    /// <summary>Passes over the training subset (the document gives none; 20 ≈ 19k steps).</summary>
    public int Epochs { get; init; } = 20;
    /// <summary>First n training images (MNIST has 60k).</summary>
    public int TrainExamples { get; init; } = 60_000;
    /// <summary>The document's batch size.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Adam.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>D; the document maps to "a very low dimensional space".</summary>
    public int LatentDim { get; init; } = 10;
    /// <summary>Conv VAE: 16 then 32 channels (65.6k parameters, cheap on 2 cores).</summary>
    public int ConvChannels { get; init; } = 16;
    /// <summary>MLP VAE encoder widths (decoder mirrors): 103k parameters, same order as the conv VAE.</summary>
    public int[] MlpHidden { get; init; } = { 64 };
    /// <summary>Fixed test images for KL, active units, MI and bands.</summary>
    public int TestBatch { get; init; } = 1000;
    /// <summary>Z draws per test image in the MI estimate (SE ≈ 0.1 nats with one).</summary>
    public int MiDraws { get; init; } = 8;
    /// <summary>Evaluation points over a run (plus step 0 and the end).</summary>
    public int Evaluations { get; init; } = 40;
    /// <summary>Image checkpoints over a run (including step 0 and the end).</summary>
    public int Checkpoints { get; init; } = 6;
    /// <summary>Fixed training images reconstructed, and prior samples, per checkpoint.</summary>
    public int ShownImages { get; init; } = 8;
    /// <summary>Delayed linear: β = 0 for this fraction of the run.</summary>
    public double WarmupFraction { get; init; } = 0.2;
    /// <summary>... then rises linearly to 1 over this fraction.</summary>
    public double RampFraction { get; init; } = 0.4;
    /// <summary>Cyclical: M (Fu et al. 2019).</summary>
    public int Cycles { get; init; } = 4;
    /// <summary>Cyclical: R, the increasing fraction of each cycle.</summary>
    public double CycleRatio { get; init; } = 0.5;
    /// <summary>Model init and batch order; every run starts the same.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>The document's loss (MseKl), or BernoulliElbo: β = 1 is the ELBO.</summary>
    public CollapseObjective Objective { get; init; } = CollapseObjective.DocumentMse;
    /// <summary>Decoder output bias starts at logit(mean training pixel); false: PyTorch's default, which diverges at β = 0 (notebook 03).</summary>
    public bool OutputBiasAtMeanPixel { get; init; } = true;
    /// <summary>Prior draws decoded at the end of a run to judge what it generates (EndQuality).</summary>
    public int QualitySamples { get; init; } = 500;
    /// <summary>Real training digits (the first n used) that k-NN judges those samples with.</summary>
    public int QualityReferences { get; init; } = 2000;
    /// <summary>Runs trained together as one batched model (1: one at a time); not part of a run's identity, so not of its cache key.</summary>
    [JsonIgnore] public int BatchedMembers { get; init; } = 8;

    /// <summary>"smoke" (CI, seconds), "default" (minutes on 2 cores), "paper" (the document's MNIST, batch 64).</summary>
    public static CollapseConfig For(string profile) => profile switch
    {
        // Seconds: 512 images for 2 epochs, enough to exercise every cell.
        "smoke" => new CollapseConfig { Epochs = 2, TrainExamples = 512, TestBatch = 128, Evaluations = 4, Checkpoints = 2, QualitySamples = 100 },
        // About 380 steps per run on 8k images: the seven runs of notebooks 03/04 fit in a few minutes on 2 cores.
        "default" => new CollapseConfig { Epochs = 3, TrainExamples = 8192, TestBatch = 500, Evaluations = 24, Checkpoints = 4 },
        // The document's batch 64 over all training images for 20 epochs (its length is not given).
        "paper" => new CollapseConfig(),
        _ => throw Profiles.Unknown(profile),
    };

    /// <summary>The delayed linear warm-up of this config.</summary>
    public BetaSchedule Annealing => new DelayedLinearBeta(WarmupFraction, RampFraction);
    /// <summary>The cyclical schedule of this config.</summary>
    public BetaSchedule Cyclical => new CyclicalBeta(Cycles, CycleRatio);

    /// <summary>Checks every field; an error names the field and its allowed range. Returns this config.</summary>
    public CollapseConfig Validate()
    {
        new ConfigCheck(nameof(CollapseConfig))
            .AtLeast(nameof(Epochs), Epochs, 1).AtLeast(nameof(TrainExamples), TrainExamples, 1).AtLeast(nameof(BatchSize), BatchSize, 1)
            .Positive(nameof(LearningRate), LearningRate).AtLeast(nameof(LatentDim), LatentDim, 1).AtLeast(nameof(ConvChannels), ConvChannels, 1)
            .That(MlpHidden is { Length: > 0 } && MlpHidden.All(h => h >= 1), nameof(MlpHidden), "needs at least one hidden width, each ≥ 1.")
            .AtLeast(nameof(TestBatch), TestBatch, 2).AtLeast(nameof(QualitySamples), QualitySamples, 1).AtLeast(nameof(QualityReferences), QualityReferences,
                5).AtLeast(nameof(MiDraws), MiDraws, 1).AtLeast(nameof(Evaluations), Evaluations, 1)
            .AtLeast(nameof(Checkpoints), Checkpoints, 2).AtLeast(nameof(ShownImages), ShownImages, 1)
            .Between(nameof(WarmupFraction), WarmupFraction, 0, 1).Between(nameof(RampFraction), RampFraction, 0, 1)
            .That(WarmupFraction + RampFraction <= 1, nameof(RampFraction),
                $"WarmupFraction + RampFraction = {WarmupFraction + RampFraction} must be ≤ 1 (β reaches 1 within the run).")
            .AtLeast(nameof(BatchedMembers), BatchedMembers, 1).AtLeast(nameof(Cycles), Cycles, 1).Between(nameof(CycleRatio), CycleRatio, 0, 1)
            .That(Enum.IsDefined(Objective), nameof(Objective), $"{Objective} is not a CollapseObjective.");
        return this;
    }

    /// <summary>
    /// This config for <paramref name="data"/>: the profiles' subsets assume MNIST's 60,000 training images, so on a
    /// smaller set (mnist-10k has 8,000) TrainExamples is capped at its size, unless the user chose it
    /// (<paramref name="keepTrainExamples"/>), in which case training reports a value that does not fit.
    /// </summary>
    public CollapseConfig FitTo(DatasetSplits data, bool keepTrainExamples = false) =>
        !keepTrainExamples && TrainExamples > data.Train.Count ? this with { TrainExamples = data.Train.Count } : this;
}
