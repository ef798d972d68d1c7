using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Gaussians;

namespace VaeLab.Tests.Experiments.Gaussians;

public class GaussianMixture2DTests
{
    const int N = 20000; // 10 000 per cluster

    static (double Mean, double Var) Moments(Tensor column)
    {
        var v = column.to_type(ScalarType.Float64).data<double>().ToArray();
        double mean = v.Average();
        return (mean, v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    [Fact]
    public void ClustersHaveTheDefaultMeansAndUnitVarianceWithinStandardError()
    {
        var (points, labels) = GaussianMixture2D.SampleLabeled(N, seed: 5);
        Assert.Equal(new long[] { N, 2 }, points.shape);
        Assert.Equal(ScalarType.Float32, points.dtype);
        Assert.Equal(ScalarType.Int64, labels.dtype);

        int m = N / 2;
        double meanSe = 1 / Math.Sqrt(m);          // SE of a sample mean, σ = 1
        double varSe = Math.Sqrt(2.0 / (m - 1));   // SE of a sample variance of a normal, σ = 1
        foreach (var (cluster, centre) in new[] { (0L, -2.0), (1L, 2.0) })
        {
            var rows = points.index_select(0, labels.eq(cluster).nonzero().squeeze(1));
            Assert.Equal(m, (int)rows.shape[0]);
            for (int axis = 0; axis < 2; axis++)
            {
                var (mean, variance) = Moments(rows[.., axis]);
                Assert.True(Math.Abs(mean - centre) < 4 * meanSe, $"cluster {cluster} axis {axis}: mean {mean}, expected {centre} ± {4 * meanSe}");
                Assert.True(Math.Abs(variance - 1) < 4 * varSe, $"cluster {cluster} axis {axis}: variance {variance}, expected 1 ± {4 * varSe}");
            }
            // Isotropic: the two coordinates are uncorrelated (SE of a correlation near 0 is 1/√m).
            var x = rows[.., 0].to_type(ScalarType.Float64); var y = rows[.., 1].to_type(ScalarType.Float64);
            double corr = ((x - x.mean()) * (y - y.mean())).mean().item<double>() / (x.std().item<double>() * y.std().item<double>());
            Assert.True(Math.Abs(corr) < 4 / Math.Sqrt(m), $"cluster {cluster}: correlation {corr}");
        }
    }

    [Fact]
    public void ClustersAreExactlyBalancedAndAlternate()
    {
        var (_, labels) = GaussianMixture2D.SampleLabeled(7, seed: 1);
        Assert.Equal(new long[] { 0, 1, 0, 1, 0, 1, 0 }, labels.data<long>().ToArray());
    }

    [Fact]
    public void SamplingIsDeterministicInTheSeedAndLeavesTheGlobalGeneratorAlone()
    {
        torch.manual_seed(3);
        var expected = torch.randn(3).data<float>().ToArray();
        torch.manual_seed(3);
        var a = GaussianMixture2D.Sample(100, seed: 9);
        Assert.Equal(expected, torch.randn(3).data<float>().ToArray());

        static float[] Values(Tensor t) => t.data<float>().ToArray();
        Assert.Equal(Values(a), Values(GaussianMixture2D.Sample(100, seed: 9)));
        Assert.Equal(Values(a), Values(GaussianMixture2D.SampleLabeled(100, seed: 9).Points));
        Assert.NotEqual(Values(a), Values(GaussianMixture2D.Sample(100, seed: 10)));
    }

    [Fact]
    public void MeansAndSpreadCanBeChosen()
    {
        var (points, labels) = GaussianMixture2D.SampleLabeled(N, seed: 2, mean0: (0f, 5f), mean1: (-3f, 1f), std: 0.5f);
        int m = N / 2;
        var rows1 = points.index_select(0, labels.eq(1).nonzero().squeeze(1));
        var (mean, variance) = Moments(rows1[.., 0]);
        Assert.True(Math.Abs(mean + 3) < 4 * 0.5 / Math.Sqrt(m), $"mean {mean}");
        Assert.True(Math.Abs(variance - 0.25) < 4 * 0.25 * Math.Sqrt(2.0 / (m - 1)), $"variance {variance}");
        var rows0 = points.index_select(0, labels.eq(0).nonzero().squeeze(1));
        Assert.True(Math.Abs(Moments(rows0[.., 1]).Mean - 5) < 4 * 0.5 / Math.Sqrt(m));
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture2D.Sample(-1, 0));
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture2D.Sample(5, 0, std: 0f)).Message);
    }
}
