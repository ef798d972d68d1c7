namespace VaeLab.Experiments.Homoencoder;

/// <summary>How KL(q(c|D)‖p(c)) is shared out per example.</summary>
public enum ClassKlWeighting
{
    /// <summary>1/|D| (our reading of the document's `cardinality_class`).</summary>
    SetSize,
    /// <summary>1/|X_x|, the size of x's (pseudo-)class in the training set (the paper's bound).</summary>
    ClassSize,
}

/// <summary>Hyperparameters of notebook 06 (variational homoencoders). The document states the architecture only.</summary>
public sealed record VheConfig
{
    /// <summary>Length of c and of z (the document's code_len; its value is not stated, 20 as in PyTorch's MNIST VAE).</summary>
    public int LatentDim { get; init; } = 20;
    /// <summary>Hidden units of every MLP (512 in the document).</summary>
    public int HiddenDim { get; init; } = 512;
    /// <summary>|D|: examples of x's (pseudo-)class encoded into c.</summary>
    public int SetSize { get; init; } = 5;
    /// <summary>Weight of the class-code KL per example.</summary>
    public ClassKlWeighting ClassKlWeight { get; init; } = ClassKlWeighting.SetSize;
    /// <summary>KMeans clusters for the pseudo-labels (MNIST has 10 classes).</summary>
    public int Clusters { get; init; } = 10;
    /// <summary>Lloyd iteration limit per clustering.</summary>
    public int KMeansIterations { get; init; } = 100;
    /// <summary>Training examples used (the first n); 0 means all.</summary>
    public int TrainExamples { get; init; } = 5_000;
    /// <summary>Passes over the training examples.</summary>
    public int Epochs { get; init; } = 12;
    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Seeds weights, shuffling, set sampling and KMeans.</summary>
    public int Seed { get; init; } = 0;

    public static VheConfig For(string profile) => profile switch
    {
        // Seconds: 500 examples, 2 epochs, enough to exercise every cell.
        "smoke" => new VheConfig { TrainExamples = 500, Epochs = 2, BatchSize = 100, SetSize = 3 },
        // 5,000 examples for 12 epochs: the three models train in a few minutes on 2 cores.
        "default" => new VheConfig(),
        // The document does not give epochs, batch size or |D|: all of MNIST, 30 epochs, |D| = 5.
        "paper" => new VheConfig { TrainExamples = 0, Epochs = 30, BatchSize = 128 },
        _ => throw Profiles.Unknown(profile),
    };

    /// <summary>Checks every field; an error names the field and its allowed range. Returns this config.</summary>
    public VheConfig Validate()
    {
        new ConfigCheck(nameof(VheConfig))
            .AtLeast(nameof(LatentDim), LatentDim, 1).AtLeast(nameof(HiddenDim), HiddenDim, 1).AtLeast(nameof(SetSize), SetSize, 1)
            .That(Enum.IsDefined(ClassKlWeight), nameof(ClassKlWeight), $"{ClassKlWeight} is not a ClassKlWeighting.")
            .AtLeast(nameof(Clusters), Clusters, 2).AtLeast(nameof(KMeansIterations), KMeansIterations, 1)
            .CountOrAll(nameof(TrainExamples), TrainExamples).AtLeast(nameof(Epochs), Epochs, 0).AtLeast(nameof(BatchSize), BatchSize, 1)
            .Positive(nameof(LearningRate), LearningRate);
        return this;
    }
}
