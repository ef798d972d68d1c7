using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Metrics;
using VaeLab.Training;

namespace VaeLab.Experiments.Homoencoder;

/// <summary>How a clustering agrees with the true labels.</summary>
/// <param name="Nmi">Normalised mutual information (arithmetic normalisation).</param>
/// <param name="Purity">Purity.</param>
public sealed record ClusterScore(double Nmi, double Purity);

/// <summary>How much a code says about the class: leave-one-out k-NN accuracy on c alone and on z alone.</summary>
/// <param name="KnnC">Leave-one-out k-NN accuracy of the true labels from the class codes c.</param>
/// <param name="KnnZ">The same from the example codes z.</param>
/// <param name="K">Neighbours.</param>
public sealed record CodeClassInformation(double KnnC, double KnnZ, int K);

/// <summary>
/// How often a clustering labels an example apart from its class: the share of examples outside their class's most
/// common cluster, for KMeans on the unsupervised VHE's final codes [c, z] and on c alone (same k, iterations, seed).
/// </summary>
/// <param name="WithZ">The share for KMeans on [c, z], as the VHE draws its pseudo-labels.</param>
/// <param name="COnly">The share for KMeans on c alone.</param>
public sealed record ClassSplit(double WithZ, double COnly)
{
    /// <summary>How many more examples z moves away from their class's cluster: <see cref="WithZ"/> − <see cref="COnly"/>.</summary>
    public double ByZ => WithZ - COnly;
}

/// <summary>The measures notebook 06's claims judge, each computed from a finished run (so that a run per seed gives one value per seed).</summary>
public static class VheMeasures
{
    /// <summary>
    /// KMeans on the raw pixels of the images the VHE trained on (the first <see cref="VheConfig.TrainExamples"/>),
    /// with the same k (<see cref="VheConfig.Clusters"/>), iteration limit and seed as the unsupervised VHE's last
    /// clustering of its codes (seed <see cref="VheConfig.Seed"/> + <see cref="VheConfig.Epochs"/>), scored against
    /// the true labels: what clustering reaches without any learning.
    /// </summary>
    public static ClusterScore PixelKMeans(VheConfig cfg, ImageDataset train)
    {
        var (x, y) = FirstExamples(cfg, train);
        var km = LastClustering(cfg).Fit(x);
        try { return new ClusterScore(ClusterAgreement.Nmi(y, km.Labels), ClusterAgreement.Purity(y, km.Labels)); }
        finally { km.Centroids.Dispose(); km.Labels.Dispose(); }
    }

    /// <summary>
    /// Class information in c against z, for a trained <see cref="Vhe"/>: every example is encoded with itself as its
    /// set (D = {x}, so no label or pseudo-label enters), c = mean of q(c | {x}) and z = mean of q(z | x, c); then
    /// leave-one-out <paramref name="k"/>-NN accuracy of the true labels on c alone and on z alone. The document's
    /// "c will encode information about the class whereas z will encode … how x deviates from its class" predicts
    /// KnnC &gt; KnnZ.
    /// </summary>
    public static CodeClassInformation ClassInformation(Vhe model, VheConfig cfg, ImageDataset train, int k = 5)
    {
        var (x, y) = FirstExamples(cfg, train);
        var (c, z) = SingletonCodes(model, x);
        using (c) using (z)
            return new CodeClassInformation(Knn.LeaveOneOutAccuracy(c, y, k), Knn.LeaveOneOutAccuracy(z, y, k), k);
    }

    /// <summary>
    /// The document's "the z component will eventually prevent some examples from the same class from being labeled as
    /// such": the unsupervised run's last recorded codes [c, z] (<see cref="VheRun.Codes"/>) clustered as its last
    /// pseudo-labels were (k = <see cref="VheConfig.Clusters"/>, seed <see cref="VheConfig.Seed"/> +
    /// <see cref="VheConfig.Epochs"/>), and c alone clustered the same way; each scored by the share of examples
    /// outside their class's most common cluster.
    /// </summary>
    public static ClassSplit ClassSplits(VheRun unsupervised, VheConfig cfg, ImageDataset train)
    {
        var codes = unsupervised.Codes ?? throw new ArgumentException($"{unsupervised.Name} has no codes (only the unsupervised VHE keeps them).",
            nameof(unsupervised));
        var (_, y) = FirstExamples(cfg, train);
        if (codes.shape[0] != y.shape[0])
            throw new ArgumentException($"{unsupervised.Name} holds {codes.shape[0]} codes, but cfg selects {y.shape[0]} training examples; pass the run's config.",
                nameof(cfg));
        using var c = codes.narrow(1, 0, codes.shape[1] / 2).contiguous();
        return new ClassSplit(SplitShare(codes, y, cfg), SplitShare(c, y, cfg));
    }

    /// <summary>The share of examples outside their class's most common cluster, for KMeans on <paramref name="points"/>.</summary>
    static double SplitShare(Tensor points, Tensor labels, VheConfig cfg)
    {
        var km = LastClustering(cfg).Fit(points.cpu());
        // Purity with the roles swapped: each class votes for its most common cluster.
        try { return 1 - ClusterAgreement.Purity(km.Labels, labels); }
        finally { km.Centroids.Dispose(); km.Labels.Dispose(); }
    }

    /// <summary>Posterior means (c, z) of each row of <paramref name="x"/> (N×784) with D = {x}, eval mode, on the CPU.</summary>
    public static (Tensor C, Tensor Z) SingletonCodes(Vhe model, Tensor x)
    {
        int code = model.LatentDim;
        var both = Inference.Rows(x.shape[0], Inference.DefaultBatch, (s, n) =>
        {
            var xb = x.narrow(0, s, n).to(Lab.Device).reshape(n, -1);
            var o = model.forward(xb, xb.unsqueeze(1));
            return torch.cat(new[] { o.CMean, o.ZMean }, 1);
        }, model);
        var c = both.narrow(1, 0, code).clone();
        var z = both.narrow(1, code, code).clone();
        both.Dispose();
        return (c, z);
    }

    /// <summary>KMeans as the unsupervised VHE clustered its codes last (seed Seed + Epochs): the one setting every measure here compares with.</summary>
    static KMeans LastClustering(VheConfig cfg) => new(cfg.Clusters, cfg.Seed + cfg.Epochs, cfg.KMeansIterations);

    static (Tensor X, Tensor Y) FirstExamples(VheConfig cfg, ImageDataset train)
    {
        var data = train.FirstOrAll(cfg.TrainExamples);
        return (data.Flat, data.Labels);
    }
}
