using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Metrics;
using VaeLab.Reporting;
using VaeLab.Training;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>
/// Notebook 02's measures of the test codes, one call each from a trained model, so that every seed of a run is
/// measured alike: the codes themselves, their per-dimension fit to the prior N(0, 1), and how far apart the classes
/// lie in them.
/// </summary>
public static class CodeMeasures
{
    /// <summary>The ELBO VAE's codes of <paramref name="images"/>: its posterior means, N×latent on the CPU.</summary>
    public static Tensor Codes(ConvVae model, Tensor images) => Inference.Map(model, x => model.Encode(x).Mean, images);

    /// <summary>The MMD-VAE's codes of <paramref name="images"/>, N×latent on the CPU.</summary>
    public static Tensor Codes(MmdVae model, Tensor images) => Inference.Map(model, x => model.Encode(x), images);

    /// <summary>
    /// The largest, over latent dimensions, of the one-sample Kolmogorov–Smirnov D of the codes' marginal against
    /// N(0, 1). A test neither model was trained on (the MMD-VAE minimises an MMD under one Gaussian kernel; the ELBO
    /// VAE a KL per code): it compares whole distribution functions, tails and shape included.
    /// </summary>
    public static double PriorKs(Tensor codes) => KolmogorovSmirnov.PerDimensionAgainstStandardNormal(codes).Max;

    /// <summary>Class separation in the codes: Fisher's tr(S_b)/tr(S_w) (<see cref="ClassSeparation.FisherRatio"/>).</summary>
    public static double Separation(Tensor codes, Tensor labels) => ClassSeparation.FisherRatio(codes, labels);

    /// <summary>
    /// Everything notebook 02 measures of one trained model on a test set: its test codes against the prior N(0, I)
    /// (mean, covariance, MMD² with the document's kernel and prior sample seed 99, per-dimension KS), its samples'
    /// sharpness, and the codes' class structure (kNN accuracy with <paramref name="refCodes"/> voting, Fisher's ratio).
    /// </summary>
    public static ModelMeasures Measure(Tensor codes, Tensor testLabels, Tensor refCodes, Tensor refLabels, Tensor samples, int knnK) => new(
        AggregatePosterior.MeanNorm(codes), AggregatePosterior.CovarianceDistance(codes), AggregatePosterior.MmdToNormal(codes, seed: 99),
        ImageMetrics.GradientEnergy(samples), ImageMetrics.MeanGradientMagnitude(samples), Knn.Accuracy(refCodes, refLabels, codes, testLabels, knnK),
        KolmogorovSmirnov.PerDimensionAgainstStandardNormal(codes).PerDimension.ToArray(), Separation(codes, testLabels),
        (int)samples.shape[0], (int)refCodes.shape[0], knnK);

    /// <summary>
    /// <see cref="Measure"/> of both models of <paramref name="pair"/>: test codes of <paramref name="test"/>, kNN votes
    /// from the codes of <paramref name="references"/>, samples decoded (sigmoid of the logits) from <paramref name="priorDraws"/>.
    /// </summary>
    public static (ModelMeasures Elbo, ModelMeasures Mmd) MeasurePair(ElboVsMmdPair pair, ImageDataset test, ImageDataset references, Tensor priorDraws,
        int knnK,
        Tensor? gridCodes = null)
    {
        var (e, m) = (pair.Elbo, pair.Mmd);
        var elbo = Measure(Codes(e, test.Images), test.Labels, Codes(e, references.Images), references.Labels,
            Inference.Map(e, z => e.Decode(z).sigmoid(), priorDraws), knnK);
        var mmd = Measure(Codes(m, test.Images), test.Labels, Codes(m, references.Images), references.Labels,
            Inference.Map(m, z => m.Decode(z).sigmoid(), priorDraws), knnK);
        if (gridCodes is null) return (elbo, mmd);
        return (elbo with { GridConfident = ConfidentShare(Inference.Map(e, z => e.Decode(z).sigmoid(), gridCodes), references, knnK) },
                mmd with { GridConfident = ConfidentShare(Inference.Map(m, z => m.Decode(z).sigmoid(), gridCodes), references, knnK) });
    }

    /// <summary>
    /// The share of <paramref name="images"/> (N×1×28×28 or N×784, e.g. the decodings of a latent grid) that k-NN on
    /// the real <paramref name="references"/> (pixel distance) classifies confidently (<see cref="Knn.ConfidentShare"/>).
    /// </summary>
    public static double ConfidentShare(Tensor images, ImageDataset references, int k = 5, int? agree = null) =>
        Knn.ConfidentShare(references.Flat, references.Labels, images.reshape(images.shape[0], -1), k, agree);

    /// <summary>Records <paramref name="m"/> in <paramref name="metrics"/> as "<paramref name="name"/>: …" rows.
    /// <paramref name="separationNote"/>: a note on the separation row (e.g. its value before training).</summary>
    public static void Record(MetricSet metrics, string name, ModelMeasures m, string? separationNote = null)
    {
        metrics.Record($"{name}: ‖mean of test codes‖", m.MeanNorm);
        metrics.Record($"{name}: ‖Cov(test codes) − I‖_F", m.CovarianceDistance);
        metrics.Record($"{name}: MMD²(test codes, N(0, I))", m.Mmd, null, "document's kernel; prior sample seed 99");
        metrics.Record($"{name}: sample gradient energy", m.GradientEnergy, "per pixel", $"{m.Samples} samples");
        metrics.Record($"{name}: sample mean gradient magnitude", m.MeanGradientMagnitude, "per pixel");
        metrics.Record($"{name}: kNN accuracy (k = {m.KnnK}) on test codes", m.KnnAccuracy, null, $"{m.KnnReferences} training codes vote");
        metrics.Record($"{name}: KS D against N(0, 1), max over dimensions", m.PriorKs, null, "per dimension: "
            + string.Join(", ", m.KsPerDimension.Select(d => d.ToString("F4"))));
        metrics.Record($"{name}: class separation tr(S_b)/tr(S_w)", m.Separation, null, separationNote);
        if (!double.IsNaN(m.GridConfident))
            metrics.Record($"{name}: latent-grid decodings classified confidently", m.GridConfident, null,
                $"share with ≥ {Math.Max(1, m.KnnK - 1)} of the {m.KnnK} nearest real images of one class");
    }
}

/// <summary>One model's measures (<see cref="CodeMeasures.Measure"/>).</summary>
public sealed record ModelMeasures(double MeanNorm, double CovarianceDistance, double Mmd, double GradientEnergy, double MeanGradientMagnitude,
    double KnnAccuracy, IReadOnlyList<double> KsPerDimension, double Separation, int Samples, int KnnReferences, int KnnK)
{
    /// <summary>The largest per-dimension KS distance (<see cref="CodeMeasures.PriorKs"/>).</summary>
    public double PriorKs => KsPerDimension.Max();
    /// <summary>Share of a latent grid's decodings classified confidently (<see cref="CodeMeasures.ConfidentShare"/>); NaN when not measured.</summary>
    public double GridConfident { get; init; } = double.NaN;
}
