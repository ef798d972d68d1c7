using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;
using VaeLab.Experiments.Homoencoder;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class KMeansTests
{
    /// <summary>Four blobs (std 0.5) at the corners of a square of side 20, 50 points each; labels 0..3.</summary>
    static (Tensor X, Tensor Labels) Blobs()
    {
        Lab.Setup(seed: 11);
        var centres = torch.tensor(new float[,] { { -10, -10 }, { -10, 10 }, { 10, -10 }, { 10, 10 } });
        var labels = torch.arange(4).repeat_interleave(50);
        return (centres.index_select(0, labels) + 0.5f * torch.randn(200, 2), labels);
    }

    [Fact]
    public void RecoversWellSeparatedBlobsUpToPermutation()
    {
        var (x, labels) = Blobs();
        var r = new KMeans(4, seed: 1).Fit(x);
        Assert.Equal(1.0, ClusterAgreement.Purity(labels, r.Labels));
        Assert.Equal(1.0, ClusterAgreement.Nmi(labels, r.Labels), 10);
        Assert.True(r.Converged);
        // Each centroid is the mean of its blob: within 4 standard errors (0.5/√50) of a corner.
        var corners = new[] { (-10.0, -10.0), (-10.0, 10.0), (10.0, -10.0), (10.0, 10.0) };
        var c = r.Centroids.data<float>().ToArray();
        for (int k = 0; k < 4; k++)
            Assert.Contains(corners, p => Math.Abs(p.Item1 - c[2 * k]) < 4 * 0.5 / Math.Sqrt(50) && Math.Abs(p.Item2 - c[2 * k + 1]) < 4 * 0.5 / Math.Sqrt(50));
        // Inertia is the sum of squared deviations from the blob means: about 200·2·0.25 = 100.
        Assert.InRange(r.Inertia, 60, 140);
    }

    [Fact]
    public void IsDeterministicUnderASeed()
    {
        Lab.Setup(seed: 5);
        var x = torch.randn(300, 3); // no clear clusters, so the result depends on the initialisation
        var a = new KMeans(6, seed: 42).Fit(x);
        var b = new KMeans(6, seed: 42).Fit(x);
        Assert.True(a.Labels.equal(b.Labels).all().item<bool>());
        Assert.True(a.Centroids.equal(b.Centroids).all().item<bool>());
        Assert.Equal(a.Inertia, b.Inertia);
    }

    [Fact]
    public void MoreClustersThanDistinctPointsLeavesNoClusterEmpty()
    {
        // 30 points on 3 distinct locations, k = 5.
        var x = torch.tensor(new float[] { 0, 0, 5, 5, 9, 0 }).reshape(3, 2).repeat(10, 1);
        var r = new KMeans(5, seed: 3).Fit(x);
        var counts = torch.bincount(r.Labels, minlength: 5).data<long>().ToArray();
        Assert.Equal(5, counts.Length);
        Assert.All(counts, c => Assert.True(c >= 1));
        Assert.False(r.Centroids.isnan().any().item<bool>());
        Assert.Equal(0.0, r.Inertia, 6);
    }

    [Fact]
    public void AForcedEmptyClusterIsReseededFromTheFarthestPoint()
    {
        // Blobs at 0 and 10 plus one outlier at 100. Starting centroids 0, 10, 1000: nothing is nearest to 1000,
        // and the point farthest from its centroid is the outlier (90 from 10), so it must become cluster 2.
        var values = new float[] { -1, 0, 1, 9, 10, 11, 100 };
        var x = torch.tensor(values).unsqueeze(1);
        var r = new KMeans(3, seed: 0).Fit(x, torch.tensor(new float[] { 0, 10, 1000 }).unsqueeze(1));
        Assert.True(r.Reseeded >= 1);
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2 }, r.Labels.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 10, 100 }, r.Centroids.squeeze(1).data<float>().ToArray());
        Assert.Equal(4.0, r.Inertia, 6); // 1 + 0 + 1 per blob
    }

    [Fact]
    public void FewerPointsThanClustersIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => new KMeans(5, seed: 0).Fit(torch.zeros(3, 2)));
        Assert.Contains("k = 5", e.Message);
    }

    [Fact]
    public void PurityAndNmiMatchAHandComputedCase()
    {
        var labels = torch.tensor(new long[] { 0, 0, 1, 1 });
        var clusters = torch.tensor(new long[] { 7, 7, 7, 3 });
        // Clusters {0,0,1} and {1}: majorities 2 + 1 of 4.
        Assert.Equal(0.75, ClusterAgreement.Purity(labels, clusters), 12);
        // p(c,l): (7,0)=1/2, (7,1)=1/4, (3,1)=1/4; p(c) = 3/4, 1/4; p(l) = 1/2, 1/2.
        double mi = 0.5 * Math.Log(0.5 / (0.75 * 0.5)) + 0.25 * Math.Log(0.25 / (0.75 * 0.5)) + 0.25 * Math.Log(0.25 / (0.25 * 0.5));
        double hl = Math.Log(2), hc = -(0.75 * Math.Log(0.75) + 0.25 * Math.Log(0.25));
        Assert.Equal(mi / ((hl + hc) / 2), ClusterAgreement.Nmi(labels, clusters), 12);
        // Independent partitions: NMI 0, purity 1/2.
        var independent = torch.tensor(new long[] { 0, 1, 0, 1 });
        Assert.Equal(0.0, ClusterAgreement.Nmi(labels, independent), 12);
        Assert.Equal(0.5, ClusterAgreement.Purity(labels, independent), 12);
        // Relabelled identical partition: both 1.
        Assert.Equal(1.0, ClusterAgreement.Nmi(labels, torch.tensor(new long[] { 5, 5, 2, 2 })), 12);
        Assert.Equal(1.0, ClusterAgreement.Purity(labels, torch.tensor(new long[] { 5, 5, 2, 2 })), 12);
    }
}
