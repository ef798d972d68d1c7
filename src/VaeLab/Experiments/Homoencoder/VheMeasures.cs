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
        var km = new KMeans(cfg.Clusters, cfg.Seed + cfg.Epochs, cfg.KMeansIterations).Fit(x);
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

    static (Tensor X, Tensor Y) FirstExamples(VheConfig cfg, ImageDataset train)
    {
        var data = train.FirstOrAll(cfg.TrainExamples);
        return (data.Flat, data.Labels);
    }
}
