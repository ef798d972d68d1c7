using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Collapse;

namespace VaeLab.Tests.Experiments.Collapse;

public class CollapseLossTests
{
    [Fact]
    public void ReconstructionIsAPerPixelMeanAndKlASumOverDimensionsMeanOverBatch()
    {
        // Two examples of two pixels. logits 0 → sigmoid 0.5; x = (1, 0) and (0.5, 0.5):
        // squared errors 0.25, 0.25, 0, 0 → per-pixel mean 0.125 (a per-example sum would give 0.5 and 0).
        var logits = torch.zeros(2, 2);
        var x = torch.tensor(new float[,] { { 1, 0 }, { 0.5f, 0.5f } });
        // Latents: example 0 mean (1, 1), logVar 0 → KL ½(1) + ½(1) = 1; example 1 at the prior → 0. Batch mean: 0.5.
        var mean = torch.tensor(new float[,] { { 1, 1 }, { 0, 0 } });
        var logVar = torch.zeros(2, 2);
        var t = MseKl.Loss(logits, x, mean, logVar, beta: 0.3);
        Assert.Equal(0.125, t.Reconstruction.item<float>(), 6);
        Assert.Equal(0.5, t.Kl.item<float>(), 6);
        Assert.Equal(0.125 + 0.3 * 0.5, t.Total.item<float>(), 6);
    }

    [Fact]
    public void BetaZeroIgnoresTheKlAndShapesMustMatch()
    {
        var logits = torch.zeros(1, 4);
        var x = torch.ones(1, 4);
        var t = MseKl.Loss(logits, x, torch.full(1, 3, 5f), torch.zeros(1, 3), 0);
        Assert.Equal(0.25, t.Total.item<float>(), 6);
        Assert.Equal(37.5, t.Kl.item<float>(), 4); // ½ Σ 25 over 3 dims
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => MseKl.Loss(torch.zeros(1, 4), torch.zeros(1, 5), torch.zeros(1, 2), torch.zeros(1, 2), 1)).Message);
    }

    [Fact]
    public void BernoulliKlSumsTheNegativeLogLikelihoodOverPixelsAndIsTheElboAtBetaOne()
    {
        // logits 0 → every pixel has p = ½, so −log p(x|z) = ln 2 per pixel whatever x in [0, 1]: 2 pixels → 2 ln 2.
        var logits = torch.zeros(2, 2);
        var x = torch.tensor(new float[,] { { 1, 0 }, { 0.5f, 0.5f } });
        var mean = torch.tensor(new float[,] { { 1, 1 }, { 0, 0 } });
        var logVar = torch.zeros(2, 2);
        var t = BernoulliKl.Loss(logits, x, mean, logVar, beta: 1);
        Assert.Equal(2 * Math.Log(2), t.Reconstruction.item<float>(), 5);
        Assert.Equal(0.5, t.Kl.item<float>(), 6);
        // β = 1: the negative ELBO, reconstruction + KL per example, batch mean.
        Assert.Equal(2 * Math.Log(2) + 0.5, t.Total.item<float>(), 5);
        // The objective switch picks one or the other.
        Assert.Equal(t.Total.item<float>(), CollapseObjective.BernoulliElbo.Loss(logits, x, mean, logVar, 1).Total.item<float>());
        Assert.Equal(MseKl.Loss(logits, x, mean, logVar, 1).Total.item<float>(), CollapseObjective.DocumentMse.Loss(logits, x, mean, logVar, 1).Total.item<float>());
        Assert.Equal(t.Reconstruction.item<float>(), CollapseObjective.BernoulliElbo.Reconstruction(logits, x).item<float>());
        Assert.Equal("per-pixel MSE", CollapseObjective.DocumentMse.ReconstructionUnit());
        Assert.Equal("−log p(x|z), nats", CollapseObjective.BernoulliElbo.ReconstructionUnit());
        // Names in run names and legends (the checkpoint cache keys on run names, so these stay fixed).
        Assert.Equal("document's loss", CollapseObjective.DocumentMse.Label());
        Assert.Equal("standard ELBO", CollapseObjective.BernoulliElbo.Label());
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => BernoulliKl.Loss(torch.zeros(1, 4), torch.zeros(1, 5), torch.zeros(1, 2), torch.zeros(1, 2), 1)).Message);
    }
}
