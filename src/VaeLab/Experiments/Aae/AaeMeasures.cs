using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Metrics;

namespace VaeLab.Experiments.Aae;

/// <summary>How well an unsupervised AAE's test codes match its prior N(0, PriorStd²·I) (notebook 05's claims 1 and 2).</summary>
/// <param name="Stds">Standard deviation of the codes in each latent dimension.</param>
/// <param name="MaxStdError">The largest |std − PriorStd| over dimensions.</param>
/// <param name="Mmd2">Unbiased MMD² to as many prior samples (drawn from the AAE's seed), Gaussian kernel of bandwidth PriorStd.</param>
/// <param name="TwoSample">The post-hoc classifier two-sample test, codes against prior samples (<see cref="AaeTrainer.CodesVsPriorTwoSample"/>).</param>
public sealed record AaePriorFit(double[] Stds, double MaxStdError, double Mmd2, TwoSampleResult TwoSample);

/// <summary>What the labels did for one label count (notebook 05's claims 4 and 5), errors in per cent of the test images.</summary>
/// <param name="SemiSupervisedError">The semi-supervised AAE's test error.</param>
/// <param name="LabelledOnlyError">The same classifier network trained on the labelled images alone.</param>
/// <param name="GainStandardError">Standard error of the difference of two error rates at the labelled-only error, 100·√(2p(1−p)/n).</param>
/// <param name="OnSamples">5-NN (real labelled training images) accuracy on the class-conditional samples.</param>
/// <param name="OnRealTest">The same 5-NN's accuracy on the real test images.</param>
public sealed record AaeLabelGain(double SemiSupervisedError, double LabelledOnlyError, double GainStandardError, double OnSamples, double OnRealTest)
{
    /// <summary>Labelled-only error − semi-supervised error, in points.</summary>
    public double Gain => LabelledOnlyError - SemiSupervisedError;
    /// <summary>Accuracy on the samples ÷ accuracy on real test images.</summary>
    public double Recognition => OnSamples / OnRealTest;
}

/// <summary>
/// Notebook 05's claim measures of trained models, one call per model, so that every seed of a run is measured alike.
/// </summary>
public static class AaeMeasures
{
    /// <summary>The codes of <paramref name="testX"/> (N×784) against the AAE's prior; the prior samples of the MMD² and of
    /// the two-sample test come from the AAE's <c>Config.Seed</c>.</summary>
    public static AaePriorFit PriorFit(AaeTrainer aae, Tensor testX)
    {
        var z = aae.Encode(testX);
        double prior = aae.Config.PriorStd;
        var stds = AaeMetrics.StdPerDimension(z);
        return new AaePriorFit(stds, stds.Max(s => Math.Abs(s - prior)), AaeMetrics.Mmd2ToGaussian(z, prior, bandwidth: prior, seed: aae.Config.Seed),
            aae.CodesVsPriorTwoSample(testX, seed: aae.Config.Seed));
    }

    /// <summary>5-NN accuracy on the (supervised) AAE's codes z: training codes vote for the test codes' classes.</summary>
    public static double CodeKnnAccuracy(AaeTrainer aae, ImageDataset train, ImageDataset test, int k = 5) =>
        Knn.Accuracy(aae.Encode(train.Flat), train.Labels, aae.Encode(test.Flat), test.Labels, k);

    /// <summary>
    /// The semi-supervised AAE <paramref name="semi"/> against <paramref name="labelledOnly"/> on <paramref name="test"/>,
    /// and how well 5-NN on all of <paramref name="train"/>'s labelled images recognises its class-conditional samples
    /// (100 per class, styles from the prior with <paramref name="sampleSeed"/>).
    /// </summary>
    public static AaeLabelGain LabelGain(SemiSupervisedAaeTrainer semi, LabelledOnlyClassifier labelledOnly, ImageDataset train, ImageDataset test,
        int sampleSeed)
    {
        double err = 100 * semi.ErrorRate(test.Flat, test.Labels);
        double onlyErr = 100 * labelledOnly.ErrorRate(test.Flat, test.Labels);
        double se = 100 * Math.Sqrt(2 * (onlyErr / 100) * (1 - onlyErr / 100) / test.Count);
        var (onSamples, onReal) = semi.ConditionalSampleRecognition(train.Flat, train.Labels, test.Flat, test.Labels, perClass: 100, seed: sampleSeed);
        return new AaeLabelGain(err, onlyErr, se, onSamples, onReal);
    }
}
