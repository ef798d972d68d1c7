using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Losses;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class HomoencoderLossTests
{
    /// <summary>The document's dkl_2_gaussians, per dimension, with log standard deviations s.</summary>
    static double DocumentKl(double mq, double sq, double mp, double sp) =>
        sp - sq - 0.5 + (Math.Exp(2 * sq) + (mq - mp) * (mq - mp)) / (2 * Math.Exp(2 * sp));

    [Fact]
    public void TwoGaussianKlMatchesTheClosedFormWithLogStdConverted()
    {
        double[] mq = { 0.3, -1.2, 2.0 }, sq = { -0.5, 0.1, 0.7 }, mp = { 1.0, -1.0, 0.0 }, sp = { 0.2, -0.3, 0.0 };
        // Textbook form: ln(σp/σq) + (σq² + (μq − μp)²) / (2σp²) − ½, summed over dimensions.
        double expected = 0;
        for (int i = 0; i < 3; i++)
        {
            double vq = Math.Exp(2 * sq[i]), vp = Math.Exp(2 * sp[i]);
            expected += Math.Log(Math.Sqrt(vp) / Math.Sqrt(vq)) + (vq + (mq[i] - mp[i]) * (mq[i] - mp[i])) / (2 * vp) - 0.5;
            Assert.Equal(expected, Enumerable.Range(0, i + 1).Sum(j => DocumentKl(mq[j], sq[j], mp[j], sp[j])), 10);
        }
        var T = (double[] v) => torch.tensor(v, dtype: ScalarType.Float64).unsqueeze(0);
        var kl = Gaussian.KlDiagonal(T(mq), HomoencoderLoss.LogVarFromLogStd(T(sq)), T(mp), HomoencoderLoss.LogVarFromLogStd(T(sp)));
        Assert.Equal(new long[] { 1 }, kl.shape);
        Assert.Equal(expected, kl.item<double>(), 10);
    }

    [Fact]
    public void TwoGaussianKlAgreesWithMonteCarlo()
    {
        Lab.Setup(seed: 4);
        var mq = torch.tensor(new double[] { 0.5, -1.0 }); var sq = torch.tensor(new double[] { -0.2, 0.3 });
        var mp = torch.tensor(new double[] { 0.0, 0.5 }); var sp = torch.tensor(new double[] { 0.4, -0.1 });
        var lvq = HomoencoderLoss.LogVarFromLogStd(sq); var lvp = HomoencoderLoss.LogVarFromLogStd(sp);
        const int n = 200_000;
        var z = mq + sq.exp() * torch.randn(n, 2, dtype: ScalarType.Float64);
        var logRatio = Gaussian.LogLikelihood(z, mq.expand(n, 2), lvq.expand(n, 2)) - Gaussian.LogLikelihood(z, mp.expand(n, 2), lvp.expand(n, 2));
        double mc = logRatio.mean().item<double>(), se = logRatio.std().item<double>() / Math.Sqrt(n);
        double closed = Gaussian.KlDiagonal(mq.unsqueeze(0), lvq.unsqueeze(0), mp.unsqueeze(0), lvp.unsqueeze(0)).item<double>();
        Assert.True(Math.Abs(mc - closed) < 4 * se, $"Monte Carlo {mc} ± {se} vs closed form {closed}");
    }

    [Fact]
    public void TwoGaussianKlIsZeroForEqualDistributions()
    {
        Lab.Setup(seed: 2);
        var m = torch.randn(5, 7); var lv = torch.randn(5, 7);
        var kl = Gaussian.KlDiagonal(m, lv, m, lv);
        Assert.Equal(0.0, kl.abs().max().item<float>(), 6);
    }

    [Fact]
    public void ClassCodeKlIsWeightedPerExample()
    {
        // Two examples, code length 2. q(c|D) = N([1,0], I) and N([0,2], I) against p(c) = N(0, I): KL = ½·1 and
        // ½·4. Weights 1/|D| = 1/2 and 1/5 give 0.25 and 0.4. q(z) equals p(z|c): KL_z = 0. Logits 0: BCE = 784·ln 2.
        var zeros = torch.zeros(2, 2);
        var o = new VheOutput(Logits: torch.zeros(2, 784), CMean: torch.tensor(new float[,] { { 1, 0 }, { 0, 2 } }), CLogStd: zeros,
                              C: zeros, ZMean: torch.ones(2, 2), ZLogStd: torch.full(2, 2, 0.3f), Z: zeros,
                              PriorZMean: torch.ones(2, 2), PriorZLogStd: torch.full(2, 2, 0.3f));
        Lab.Setup(seed: 1);
        var x = torch.rand(2, 1, 28, 28);
        var t = HomoencoderLoss.Vhe(x, o, torch.tensor(new float[] { 1f / 2, 1f / 5 }));
        Assert.Equal(new[] { 0.25f, 0.4f }, t.KlC.data<float>().ToArray().Select(v => MathF.Round(v, 6)));
        Assert.Equal(0.0, t.KlZ.abs().max().item<float>(), 6);
        double bce = 784 * Math.Log(2);
        Assert.Equal(bce, t.Reconstruction[0].item<float>(), 2);
        Assert.Equal(bce + 0.4, t.Total[1].item<float>(), 2);
    }

    [Fact]
    public void AWeightVectorOfTheWrongShapeIsAClearError()
    {
        var z = torch.zeros(3, 2);
        var o = new VheOutput(torch.zeros(3, 784), z, z, z, z, z, z, z, z);
        var e = Assert.Throws<ArgumentException>(() => HomoencoderLoss.Vhe(torch.zeros(3, 784), o, torch.ones(2)));
        Assert.Contains("one weight per example", e.Message);
    }
}
