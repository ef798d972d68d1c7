using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Metrics;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ClassSeparationTests
{
    // Class 0 at (0,0), (2,0); class 1 at (0,4), (2,4). Means (1,0), (1,4), overall (1,2):
    // tr S_b = 2·4 + 2·4 = 16, tr S_w = 4 · 1 = 4, ratio 4.
    static readonly Tensor Codes = torch.tensor(new double[,] { { 0, 0 }, { 2, 0 }, { 0, 4 }, { 2, 4 } });
    static readonly Tensor Labels = torch.tensor(new long[] { 0, 0, 1, 1 });

    [Fact]
    public void FisherRatioMatchesAHandComputation() => Assert.Equal(4.0, ClassSeparation.FisherRatio(Codes, Labels), 10);

    [Fact]
    public void FisherRatioIgnoresShiftRotationUniformScaleAndLabelValues()
    {
        double a = 0.7;
        var rot = torch.tensor(new double[,] { { Math.Cos(a), -Math.Sin(a) }, { Math.Sin(a), Math.Cos(a) } });
        var moved = Codes.matmul(rot) * 3.5 + torch.tensor(new double[] { -10, 5 });
        Assert.Equal(4.0, ClassSeparation.FisherRatio(moved.to_type(ScalarType.Float32), torch.tensor(new long[] { 7, 7, 3, 3 })), 5);
    }

    [Fact]
    public void FisherRatioIsZeroWhenClassesShareTheirMean()
    {
        var codes = torch.tensor(new double[,] { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } });
        Assert.Equal(0.0, ClassSeparation.FisherRatio(codes, Labels), 12);
    }

    [Fact]
    public void FisherRatioRejectsMismatchedLabels() =>
        Assert.Throws<ArgumentException>(() => ClassSeparation.FisherRatio(Codes, torch.tensor(new long[] { 0, 1 })));
}
