using VaeLab.Metrics;
using VaeLab.Experiments.Homoencoder;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class StatisticsTests
{
    [Fact]
    public void PearsonAgainstHandComputedCases()
    {
        Assert.Equal(1.0, Statistics.Pearson(new double[] { 1, 2, 3 }, new double[] { 10, 20, 30 }), 12);
        Assert.Equal(-1.0, Statistics.Pearson(new double[] { 1, 2, 3 }, new double[] { 3, 2, 1 }), 12);
        // x = (1, 2, 3, 4), y = (1, 3, 2, 4): cov sum 4, var sums 5 and 5, r = 4/5.
        Assert.Equal(0.8, Statistics.Pearson(new double[] { 1, 2, 3, 4 }, new double[] { 1, 3, 2, 4 }), 12);
        Assert.True(double.IsNaN(Statistics.Pearson(new double[] { 1, 2 }, new double[] { 5, 5 })));
        Assert.True(double.IsNaN(Statistics.Pearson(new double[] { 1 }, new double[] { 2 })));
        Assert.Throws<ArgumentException>(() => Statistics.Pearson(new double[] { 1, 2 }, new double[] { 1 }));
    }
}
