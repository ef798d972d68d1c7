using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class LikelihoodBoundsTests
{
    [Fact]
    public void ExactPosteriorMakesBothBoundsTheClosedFormLogLikelihood()
    {
        // A decoder that ignores z has posterior = prior; an encoder returning N(0, I) is then exact, every log weight
        // equals log p(x) = Σ x log σ(c) + (1 − x) log(1 − σ(c)), and both bounds are tight.
        Lab.Setup(seed: 50);
        var x = torch.rand(7, 1, 28, 28);
        const float c = 0.3f;
        Func<Tensor, (Tensor, Tensor)> encode = xb => (torch.zeros(xb.shape[0], 2), torch.zeros(xb.shape[0], 2));
        Func<Tensor, Tensor> decode = z => torch.full(z.shape[0], 1, 28, 28, c);
        double p = 1 / (1 + Math.Exp(-c));
        var logPx = (x * Math.Log(p) + (1 - x) * Math.Log(1 - p)).flatten(1).sum(1).to_type(ScalarType.Float64);
        double expected = -logPx.mean().item<double>();
        var elbo = LikelihoodBounds.NegativeElbo(encode, decode, x, batchSize: 3);
        var iwae = LikelihoodBounds.NegativeIwae(encode, decode, x, k: 10, imagesPerPass: 30);
        Assert.Equal(7, elbo.Count);
        Assert.Equal(7, iwae.Count);
        Assert.Equal(expected, elbo.Mean, 2);
        Assert.Equal(expected, iwae.Mean, 2);
    }

    [Fact]
    public void IwaeIsTighterThanTheElboOnAModel()
    {
        Lab.Setup(seed: 51);
        var model = new ConvVae();
        var x = torch.rand(40, 1, 28, 28);
        var elbo = LikelihoodBounds.NegativeElbo(model.Encode, model.Decode, x);
        var iwae = LikelihoodBounds.NegativeIwae(model.Encode, model.Decode, x, k: 50, imagesPerPass: 500);
        // −IWAE ≤ −ELBO in expectation; the gap is positive unless q is the exact posterior.
        Assert.True(iwae.Mean < elbo.Mean, $"−IWAE {iwae} vs −ELBO {elbo}");
        var one = LikelihoodBounds.NegativeIwae(model.Encode, model.Decode, x, k: 1);
        Assert.True(Math.Abs(one.Mean - elbo.Mean) < 4 * Math.Sqrt(one.StandardError * one.StandardError + elbo.StandardError * elbo.StandardError),
                    $"k = 1 is the Monte-Carlo ELBO: {one} vs {elbo}");
    }
}
