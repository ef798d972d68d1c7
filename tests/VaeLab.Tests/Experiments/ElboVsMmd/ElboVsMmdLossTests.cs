using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ElboVsMmdLossTests
{
    [Fact]
    public void TheNegativeElboIsItsTermsCombinedAndHandComputedForOneExample()
    {
        // One example, one pixel, one latent dimension: logit 0 (p = ½) for x = 1, z = 0, q = N(0, 1).
        // log p(x|z) = log ½; log p(z) = −½ log 2π; log q(z|x) = −½ log 2π; ELBO = log ½.
        var t = ElboVsMmdLoss.NegativeElbo(torch.zeros(1, 1), torch.ones(1, 1), torch.zeros(1, 1), torch.zeros(1, 1), torch.zeros(1, 1));
        Assert.Equal(Math.Log(2), t.Loss.item<float>(), 5);
        Assert.Equal(-Math.Log(2), t.LogPx.item<float>(), 5);
        Assert.Equal(-0.5 * Math.Log(2 * Math.PI), t.LogPz.item<float>(), 5);
        Assert.Equal(t.LogPz.item<float>(), t.LogQz.item<float>(), 6);

        Lab.Setup(seed: 4);
        var logits = torch.randn(6, 1, 28, 28);
        var x = torch.rand(6, 1, 28, 28);
        var (z, mean, logVar) = (torch.randn(6, 2), torch.randn(6, 2), torch.randn(6, 2));
        var r = ElboVsMmdLoss.NegativeElbo(logits, x, z, mean, logVar);
        Assert.Equal(-(r.LogPx + r.LogPz - r.LogQz).item<float>(), r.Loss.item<float>(), 2);
    }

    [Fact]
    public void TheDocumentsLiteralLossSumsTheReconstructionOverTheBatchAndAveragesTheLatentTerms()
    {
        // Two examples of one pixel, logit 0 for x = 1: log p(x|z) = log ½ each, summed over the batch: 2 log ½.
        // z = 0 with q = N(0, 1): log p(z) − log q(z|x) = 0. Loss = −2 log ½ = 2 log 2, twice the per-image −ELBO.
        var t = ElboVsMmdLoss.DocumentLiteral(torch.zeros(2, 1), torch.ones(2, 1), torch.zeros(2, 1), torch.zeros(2, 1), torch.zeros(2, 1));
        Assert.Equal(2 * Math.Log(2), t.Loss.item<float>(), 5);
        Assert.Equal(-Math.Log(2), t.LogPx.item<float>(), 5);   // logged as a batch mean, like NegativeElbo's

        // In general: −(B · mean log p(x|z) + mean[log p(z) − log q(z|x)]), with the terms NegativeElbo logs.
        Lab.Setup(seed: 6);
        var logits = torch.randn(6, 1, 28, 28);
        var x = torch.rand(6, 1, 28, 28);
        var (z, mean, logVar) = (torch.randn(6, 2), torch.randn(6, 2), torch.randn(6, 2));
        var lit = ElboVsMmdLoss.DocumentLiteral(logits, x, z, mean, logVar);
        var elbo = ElboVsMmdLoss.NegativeElbo(logits, x, z, mean, logVar);
        Assert.Equal((elbo.LogPx.item<float>(), elbo.LogPz.item<float>(), elbo.LogQz.item<float>()), (lit.LogPx.item<float>(), lit.LogPz.item<float>(), lit.LogQz.item<float>()));
        double expected = -(6 * lit.LogPx.item<float>() + lit.LogPz.item<float>() - lit.LogQz.item<float>());
        Assert.Equal(1.0, lit.Loss.item<float>() / expected, 5);
    }

    [Fact]
    public void TheMmdVaeLossIsTheMeanSquaredErrorPlusTheWeightedMmd()
    {
        Lab.Setup(seed: 5);
        var reconstruction = torch.full(2, 3, 0.25f);
        var x = torch.ones(2, 3);
        var z = torch.randn(50, 2);
        var t = ElboVsMmdLoss.MmdVae(reconstruction, x, z, mmdWeight: 2);
        Assert.Equal(0.5625, t.Mse.item<float>(), 6);  // (1 − ¼)², a mean over every element
        Assert.Equal(t.Mse.item<float>() + 2 * t.Mmd.item<float>(), t.Loss.item<float>(), 5);
    }
}
