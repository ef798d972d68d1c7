using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Metrics;
using VaeLab.Training;

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
    public void MeasurePairMeasuresEachModelOnItsCodesAndSamples()
    {
        Lab.Setup(seed: 5);
        var labels = torch.arange(40, dtype: ScalarType.Int64) % 4;
        var names = new[] { "a", "b", "c", "d" };
        var test = new VaeLab.Data.ImageDataset("t", torch.rand(40, 1, 28, 28), labels, names);
        var refs = new VaeLab.Data.ImageDataset("r", torch.rand(40, 1, 28, 28), labels, names);
        var pair = new ElboVsMmdPair(3, new ConvVae(2), new MmdVae(2), null!, null!);
        var draws = torch.randn(16, 2);
        var (elbo, mmd) = CodeMeasures.MeasurePair(pair, test, refs, draws, knnK: 3);
        var expectElbo = CodeMeasures.Measure(CodeMeasures.Codes(pair.Elbo, test.Images), labels, CodeMeasures.Codes(pair.Elbo, refs.Images), labels,
            Inference.Map(pair.Elbo, z => pair.Elbo.Decode(z).sigmoid(), draws), 3);
        var expectMmd = CodeMeasures.Measure(CodeMeasures.Codes(pair.Mmd, test.Images), labels, CodeMeasures.Codes(pair.Mmd, refs.Images), labels,
            Inference.Map(pair.Mmd, z => pair.Mmd.Decode(z).sigmoid(), draws), 3);
        Assert.Equal((expectElbo.GradientEnergy, expectElbo.KnnAccuracy, expectElbo.Separation, expectElbo.PriorKs), (elbo.GradientEnergy, elbo.KnnAccuracy, elbo.Separation, elbo.PriorKs));
        Assert.Equal((expectMmd.GradientEnergy, expectMmd.KnnAccuracy, expectMmd.MeanNorm, expectMmd.Samples), (mmd.GradientEnergy, mmd.KnnAccuracy, mmd.MeanNorm, mmd.Samples));
        Assert.Equal(16, elbo.Samples);
        Assert.True(double.IsNaN(elbo.GridConfident));
        var grid = torch.randn(9, 2);
        var (elboGrid, mmdGrid) = CodeMeasures.MeasurePair(pair, test, refs, draws, knnK: 3, gridCodes: grid);
        Assert.Equal(CodeMeasures.ConfidentShare(Inference.Map(pair.Mmd, z => pair.Mmd.Decode(z).sigmoid(), grid), refs, k: 3), mmdGrid.GridConfident);
        Assert.Equal(CodeMeasures.ConfidentShare(Inference.Map(pair.Elbo, z => pair.Elbo.Decode(z).sigmoid(), grid), refs, k: 3), elboGrid.GridConfident);
        Assert.Equal(elbo.KnnAccuracy, elboGrid.KnnAccuracy);
        Assert.NotEqual(elbo.GradientEnergy, mmd.GradientEnergy);  // each model's own decoder
    }

    [Fact]
    public void ConfidentShareCountsImagesWhoseNeighboursAgree()
    {
        // Uniform images: three dark references (0, 0.05, 0.1; class 0) and three bright ones (0.9, 0.95, 1; class 1).
        // A dark or a bright query has its class's three as its 3 nearest; a mid-grey blend (0.5) sees 0.1 and 0.9
        // first, then one more of either: 2 of 3. With agree = 3, two confident images of three.
        torch.Tensor Grey(params float[] v) => torch.stack(v.Select(x => torch.full(new long[] { 1, 28, 28 }, x)).ToArray());
        var refs = new VaeLab.Data.ImageDataset("r", Grey(0, 0.05f, 0.1f, 0.9f, 0.95f, 1), torch.tensor(new long[] { 0, 0, 0, 1, 1, 1 }), new[] { "dark", "bright" });
        var queries = Grey(0.02f, 0.97f, 0.5f);
        var shares = Knn.MajorityShare(refs.Flat, refs.Labels, queries.reshape(3, -1), k: 3);
        Assert.Equal(new[] { 1.0, 1.0, 2 / 3.0 }, shares);
        Assert.Equal(2 / 3.0, CodeMeasures.ConfidentShare(queries, refs, k: 3, agree: 3), 12);
        Assert.Equal(1.0, CodeMeasures.ConfidentShare(queries, refs, k: 3));           // default: k − 1 = 2 of 3
        Assert.Throws<ArgumentOutOfRangeException>(() => CodeMeasures.ConfidentShare(queries, refs, k: 3, agree: 4));
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
