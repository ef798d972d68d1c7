namespace VaeLab.Experiments.Aae;

/// <summary>
/// Hyperparameters of the semi-supervised adversarial autoencoder (notebook 05): a categorical code y regularized
/// toward a uniform categorical prior and a style code z toward N(0, PriorStd²·I), with only
/// <see cref="LabelledExamples"/> labels. Network and optimizer settings follow the document's AAE.
/// </summary>
public sealed record SemiSupervisedAaeConfig
{
    /// <summary>Width of both hidden layers of Q, P and the two discriminators (the document's N = 1000).</summary>
    public int HiddenDim { get; init; } = 1000;
    /// <summary>Number of classes, the width of y (10 digits).</summary>
    public int Classes { get; init; } = 10;
    /// <summary>Dimensions of the style code z (the document's z_dim = 2).</summary>
    public int LatentDim { get; init; } = 2;
    /// <summary>Standard deviation of the style prior N(0, PriorStd²·I).</summary>
    public double PriorStd { get; init; } = 5.0;
    /// <summary>Dropout after each hidden layer.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Adam learning rate of P and Q in the reconstruction phase (gen_lr).</summary>
    public double ReconstructionLr { get; init; } = 6e-4;
    /// <summary>Adam learning rate of both discriminators and of Q as generator (reg_lr).</summary>
    public double RegularizationLr { get; init; } = 8e-4;
    /// <summary>Adam learning rate of Q in the supervised classification phase (not in the document; gen_lr).</summary>
    public double ClassificationLr { get; init; } = 6e-4;
    /// <summary>The document's TINY inside the logs of the adversarial losses.</summary>
    public double Tiny { get; init; } = 1e-15;
    /// <summary>Minibatch size of the unlabelled phases and of the labelled batch (at most the label count).</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Labelled training examples, balanced over the classes (100 and 1000 in the AAE paper).</summary>
    public int LabelledExamples { get; init; } = 100;
    /// <summary>Passes over the unlabelled training set (not given by the document; paper = our choice of a long run).</summary>
    public int Epochs { get; init; } = 200;
    /// <summary>First this many training images used unlabelled (0 = all).</summary>
    public int TrainExamples { get; init; } = 0;
    /// <summary>First this many test images for the error (0 = all).</summary>
    public int TestExamples { get; init; } = 0;
    /// <summary>Seed of the batch order.</summary>
    public int Seed { get; init; } = 10;

    /// <summary>"smoke", "default" or "paper" (all training images, the AAE paper's label counts).</summary>
    public static SemiSupervisedAaeConfig For(string profile) => profile switch
    {
        // On the 8,000 digits of mnist-10k: 16,000 steps per label count, about 70 min each at the 3.75 steps/s
        // measured here (niced, OMP_WAIT_POLICY=PASSIVE); resumable from its epoch checkpoint.
        "paper" => new SemiSupervisedAaeConfig(),
        // As AaeConfig's default: width 1000, 600 steps on a 6k subset (a step costs about 1.5× the AAE's: a fourth
        // phase and two discriminators).
        "default" => new SemiSupervisedAaeConfig { Epochs = 10, TrainExamples = 6_000, TestExamples = 2_000 },
        "smoke" => new SemiSupervisedAaeConfig { HiddenDim = 64, Epochs = 1, TrainExamples = 1_000, TestExamples = 500 },
        _ => throw Profiles.Unknown(profile),
    };

    /// <summary>Checks every field; an error names the field and its allowed range. Returns this config.</summary>
    public SemiSupervisedAaeConfig Validate()
    {
        new ConfigCheck(nameof(SemiSupervisedAaeConfig))
            .AtLeast(nameof(HiddenDim), HiddenDim, 1).AtLeast(nameof(Classes), Classes, 2).AtLeast(nameof(LatentDim), LatentDim, 1)
            .Positive(nameof(PriorStd), PriorStd).Between(nameof(Dropout), Dropout, 0, 0.99)
            .Positive(nameof(ReconstructionLr), ReconstructionLr).Positive(nameof(RegularizationLr), RegularizationLr).Positive(nameof(ClassificationLr),
                ClassificationLr)
            .Between(nameof(Tiny), Tiny, 0, 1e-3).AtLeast(nameof(BatchSize), BatchSize, 1).AtLeast(nameof(Epochs), Epochs, 0)
            .That(LabelledExamples >= Classes && LabelledExamples % Classes == 0, nameof(LabelledExamples),
                $"{LabelledExamples} must be a positive multiple of Classes ({Classes}): the labelled set is balanced over the classes.")
            .CountOrAll(nameof(TrainExamples), TrainExamples).CountOrAll(nameof(TestExamples), TestExamples);
        return this;
    }
}
