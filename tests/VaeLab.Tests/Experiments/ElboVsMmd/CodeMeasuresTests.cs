using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Metrics;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class CodeMeasuresTests
{
    [Fact]
    public void CodesAreTheEncodersOutputsInBatches()
    {
        Lab.Setup(seed: 3);
        var x = torch.rand(7, 1, 28, 28);
        var vae = new ConvVae(2);
        var mmd = new MmdVae(2);
        vae.eval(); mmd.eval();
        using (torch.no_grad())
        {
            Assert.True(CodeMeasures.Codes(vae, x).allclose(vae.Encode(x).Mean, atol: 1e-6));
            Assert.True(CodeMeasures.Codes(mmd, x).allclose(mmd.Encode(x), atol: 1e-6));
        }
        Assert.Equal(new long[] { 7, 2 }, CodeMeasures.Codes(mmd, x).shape);
    }

    [Fact]
    public void PriorKsIsSmallForPriorDrawsAndSeesAScaleMismatch()
    {
        using var gen = new Generator(4);
        var prior = torch.randn(new long[] { 10_000, 2 }, generator: gen);
        Assert.True(CodeMeasures.PriorKs(prior) < KolmogorovSmirnov.CriticalValue(0.001, 10_000));
        // Codes at half the prior's scale (as posterior means often are): D = max_x Φ(2x) − Φ(x), at x = √(ln 4 / 3) → 0.1658.
        double x0 = Math.Sqrt(Math.Log(4) / 3);
        double expected = KolmogorovSmirnov.StandardNormalCdf(2 * x0) - KolmogorovSmirnov.StandardNormalCdf(x0);
        Assert.True(Math.Abs(CodeMeasures.PriorKs(prior * 0.5) - expected) < 0.02, $"expected about {expected}");
    }

    [Fact]
    public void SeparationIsFishersRatio()
    {
        var codes = torch.tensor(new double[,] { { 0, 0 }, { 2, 0 }, { 0, 4 }, { 2, 4 } });
        Assert.Equal(4.0, CodeMeasures.Separation(codes, torch.tensor(new long[] { 0, 0, 1, 1 })), 10);
    }
}
