using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Tests.Losses;

public class MmdTests
{
    // For x, x′ ~ N(0, I_d) and the kernel exp(−‖δ‖²/s): δ ~ N(Δ, 2I), so
    // E k = (1 + 4/s)^(−d/2) · exp(−‖Δ‖²/(s + 4)). With d = 2 and the document's s = d² = 4: μ0 = 0.5.
    static double ExpectedKernel(int d, double s, double shift) => Math.Pow(1 + 4 / s, -d / 2.0) * Math.Exp(-shift * shift / (s + 4));

    // Expectation of the biased estimate for n = m points from N(0, I) and N(Δ, I): the diagonals contribute 1/n each.
    static double ExpectedBiasedMmd(int n, int d, double shift)
    {
        double s = (double)d * d, mu0 = ExpectedKernel(d, s, 0), muXY = ExpectedKernel(d, s, shift);
        return 2.0 / n + 2.0 * (n - 1) / n * mu0 - 2 * muXY;
    }

    static (double Mean, double Se) Replicates(int reps, Func<double> draw)
    {
        var v = Enumerable.Range(0, reps).Select(_ => draw()).ToArray();
        double m = v.Average(), sd = Math.Sqrt(v.Sum(a => (a - m) * (a - m)) / (reps - 1));
        return (m, sd / Math.Sqrt(reps));
    }

    static Tensor Shifted(Tensor y, double shift) => y + torch.tensor(new float[] { (float)shift, 0f });

    [Fact]
    public void KernelHasAUnitDiagonalAndTheDocumentsValue()
    {
        Lab.Setup(seed: 10);
        var x = torch.randn(50, 2) * 3;
        var k = Mmd.Kernel(x, x);
        Assert.Equal(new long[] { 50, 50 }, k.shape);
        Assert.True(k.diagonal().eq(1).all().item<bool>());
        // (0,0) vs (1,1): mean squared difference 1, divided by dim 2 → exp(−0.5).
        var pair = Mmd.Kernel(torch.zeros(1, 2), torch.ones(1, 2));
        Assert.Equal(Math.Exp(-0.5), pair.item<float>(), 6);
        // A given scale replaces dim²: exp(−2/8).
        Assert.Equal(Math.Exp(-0.25), Mmd.Kernel(torch.zeros(1, 2), torch.ones(1, 2), scale: 8).item<float>(), 6);
    }

    [Fact]
    public void IsSymmetricAndUnchangedByPermutingEitherSample()
    {
        Lab.Setup(seed: 11);
        var x = torch.randn(120, 2);
        var y = torch.randn(80, 2) + 0.7;
        double xy = Mmd.Compute(x, y).item<float>();
        Assert.Equal(xy, Mmd.Compute(y, x).item<float>(), 5);
        var px = x.index_select(0, torch.randperm(120));
        var py = y.index_select(0, torch.randperm(80));
        Assert.Equal(xy, Mmd.Compute(px, py).item<float>(), 5);
    }

    [Fact]
    public void BlockedKernelMeanEqualsTheFullMatrixMean()
    {
        Lab.Setup(seed: 12);
        var x = torch.randn(1100, 3);
        var y = torch.randn(300, 3);
        Assert.Equal(Mmd.Kernel(x, y).mean().item<float>(), Mmd.KernelMean(x, y).item<float>(), 5);
    }

    [Fact]
    public void TwoSamplesFromOneDistributionScoreTheClosedFormBiasNearZero()
    {
        // E[MMD_b] = 2/n · (1 − μ0) = 1/n = 0.005 at n = 200: the estimate's only non-zero part is the diagonal bias.
        Lab.Setup(seed: 13);
        const int n = 200;
        double expected = ExpectedBiasedMmd(n, 2, 0);
        Assert.Equal(0.005, expected, 12);
        var (mean, se) = Replicates(40, () => Mmd.Compute(torch.randn(n, 2), torch.randn(n, 2)).item<float>());
        Assert.True(Math.Abs(mean - expected) < 4 * se, $"mean MMD {mean} vs closed form {expected} (SE {se})");
        // and far below the population MMD of a unit mean shift, 2·0.5·(1 − e^(−1/8)) ≈ 0.1175
        Assert.True(mean < 0.1175 / 10, $"mean MMD {mean}");
    }

    [Fact]
    public void AUnitMeanShiftMatchesTheClosedForm()
    {
        Lab.Setup(seed: 14);
        const int n = 200;
        double expected = ExpectedBiasedMmd(n, 2, 1.0);
        var (mean, se) = Replicates(20, () => Mmd.Compute(torch.randn(n, 2), Shifted(torch.randn(n, 2), 1.0)).item<float>());
        Assert.True(Math.Abs(mean - expected) < 4 * se, $"mean MMD {mean} vs closed form {expected} (SE {se})");
    }

    [Fact]
    public void GrowsAsTheMeanShiftGrows()
    {
        Lab.Setup(seed: 15);
        var x = torch.randn(500, 2);
        var y = torch.randn(500, 2);
        var values = new[] { 0.0, 0.5, 1.0, 2.0, 4.0 }.Select(s => (double)Mmd.Compute(x, Shifted(y, s)).item<float>()).ToArray();
        for (int i = 1; i < values.Length; i++)
            Assert.True(values[i] > values[i - 1], $"MMD not increasing: {string.Join(", ", values)}");
    }

    [Fact]
    public void ToNormalIsDifferentiableAndRejectsMismatchedShapes()
    {
        Lab.Setup(seed: 16);
        var z = (torch.randn(64, 2) + 2).requires_grad_();
        var loss = Mmd.ToNormal(z);
        loss.backward();
        Assert.True(z.grad is not null && z.grad.abs().sum().item<float>() > 0);
        var e = Assert.Throws<ArgumentException>(() => Mmd.Compute(torch.randn(4, 2), torch.randn(4, 3)));
        Assert.Contains("same d", e.Message);
    }
}
