using System.Text.Json.Serialization;

namespace VaeLab.Experiments.Gaussians;

/// <summary>Notebook 01's settings: two 2-D Gaussians, an autoencoder with a 1-d bottleneck against a VAE.</summary>
public sealed record GaussiansConfig
{
    /// <summary>Training points from the mixture, half per cluster.</summary>
    public int TrainExamples { get; init; } = 10_000;
    /// <summary>Independent points for the sample-quality measures.</summary>
    public int TestExamples { get; init; } = 2_000;
    /// <summary>Seed of the training points (held-out uses DataSeed + 1).</summary>
    public int DataSeed { get; init; } = 1;
    /// <summary>Hidden units, both networks (the document's VAE has 10).</summary>
    public int HiddenDim { get; init; } = 10;

    /// <summary>Passes over the training points, each model (the autoencoder and the VAE train alike).</summary>
    public int Epochs { get; init; } = 2_000;
    /// <summary>The document's batch size for the autoencoder; it gives none for the VAE, which uses the same.</summary>
    public int BatchSize { get; init; } = 5_000;
    /// <summary>Adam's step size, both models, as in the document.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>N_sample_z: latent samples per input in the ELBO.</summary>
    public int SamplesZ { get; init; } = 3;

    /// <summary>Model samples / decodings compared with held-out data.</summary>
    public int GeneratedPoints { get; init; } = 2_000;
    /// <summary>MMD kernel σ: the clusters' standard deviation.</summary>
    public double KernelBandwidth { get; init; } = 1.0;
    /// <summary>Neighbourhood size of the local-spread measure.</summary>
    public int Neighbours { get; init; } = 20;

    /// <summary>Latent samples per gradient estimate.</summary>
    public int[] EstimatorSampleCounts { get; init; } = { 1, 4, 16, 64 };
    /// <summary>Independent estimates per (estimator, sample count).</summary>
    public int EstimatorDraws { get; init; } = 400;
    /// <summary>Held-out inputs averaged in one estimate.</summary>
    public int EstimatorInputs { get; init; } = 100;

    /// <summary>Initial weights, batch order and latent noise of both models.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>Runs (seeds) trained together as one batched model (1: one at a time); not part of a run's identity, so not of its cache key.</summary>
    [JsonIgnore] public int BatchedMembers { get; init; } = 8;

    /// <summary>"smoke" (CI, under a minute for the whole notebook), "default" (a few minutes), "paper" (the document's).</summary>
    public static GaussiansConfig For(string profile) => profile switch
    {
        // Seconds: fewer points and epochs, enough to exercise every cell, not to converge.
        "smoke" => new GaussiansConfig
        {
            TrainExamples = 4_000, TestExamples = 1_000, Epochs = 150, BatchSize = 1_000,
            GeneratedPoints = 1_000, EstimatorSampleCounts = new[] { 1, 8 }, EstimatorDraws = 50, EstimatorInputs = 50,
        },
        // The document's data and networks; 2,000 full-batch-ish epochs converge both models on 2 cores in minutes.
        "default" => new GaussiansConfig(),
        // Longer training and more gradient-estimator draws, for tighter measurements of the same claims.
        "paper" => new GaussiansConfig { Epochs = 5_000, EstimatorDraws = 1_000 },
        _ => throw Profiles.Unknown(profile),
    };

    /// <summary>Checks every field; an error names the field and its allowed range. Returns this config.</summary>
    public GaussiansConfig Validate()
    {
        new ConfigCheck(nameof(GaussiansConfig))
            .AtLeast(nameof(TrainExamples), TrainExamples, 2).AtLeast(nameof(TestExamples), TestExamples, 2)
            .AtLeast(nameof(HiddenDim), HiddenDim, 1)
            .AtLeast(nameof(Epochs), Epochs, 0).AtLeast(nameof(BatchSize), BatchSize, 1).Positive(nameof(LearningRate), LearningRate)
            .AtLeast(nameof(SamplesZ), SamplesZ, 1).AtLeast(nameof(GeneratedPoints), GeneratedPoints, 2)
            .Positive(nameof(KernelBandwidth), KernelBandwidth).AtLeast(nameof(Neighbours), Neighbours, 1)
            .That(EstimatorSampleCounts is { Length: > 0 } && EstimatorSampleCounts.All(k => k >= 1), nameof(EstimatorSampleCounts),
                "needs at least one sample count, each ≥ 1.")
            .AtLeast(nameof(EstimatorDraws), EstimatorDraws, 0).AtLeast(nameof(EstimatorInputs), EstimatorInputs, 0)
            .AtLeast(nameof(BatchedMembers), BatchedMembers, 1);
        return this;
    }
}
