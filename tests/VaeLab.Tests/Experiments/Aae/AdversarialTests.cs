using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;

namespace VaeLab.Tests.Experiments.Aae;

public class AdversarialTests
{
    [Fact]
    public void DiscriminatorLossMatchesAHandComputedCase()
    {
        var dReal = torch.tensor(new[] { 0.9f, 0.6f }).unsqueeze(1);
        var dFake = torch.tensor(new[] { 0.2f, 0.5f }).unsqueeze(1);
        // −[(ln .9 + ln .6)/2 + (ln .8 + ln .5)/2]
        double expected = -((Math.Log(0.9) + Math.Log(0.6)) / 2 + (Math.Log(0.8) + Math.Log(0.5)) / 2);
        Assert.Equal(0.7662385, expected, 6);
        Assert.Equal(expected, Adversarial.DiscriminatorLoss(dReal, dFake, tiny: 0).item<float>(), 5);
        // The document's form −mean(log D(real) + log(1 − D(fake))) is the same number for equal batch sizes.
        Assert.Equal(expected, -(dReal.log() + (1 - dFake).log()).mean().item<float>(), 5);
    }

    [Fact]
    public void GeneratorLossMatchesAHandComputedCase()
    {
        var dFake = torch.tensor(new[] { 0.2f, 0.5f });
        Assert.Equal((Math.Log(5) + Math.Log(2)) / 2, Adversarial.GeneratorLoss(dFake, tiny: 0).item<float>(), 5);
    }

    [Fact]
    public void TinyKeepsSaturatedDiscriminatorsFinite()
    {
        // D certain and wrong on both: each log is log(TINY) = −34.5388.
        var loss = Adversarial.DiscriminatorLoss(torch.zeros(3), torch.ones(3));
        Assert.Equal(-2 * Math.Log(1e-15), loss.item<float>(), 3);
        Assert.Equal(-Math.Log(1e-15), Adversarial.GeneratorLoss(torch.zeros(3)).item<float>(), 3);
        // Without TINY the same outputs give +∞.
        Assert.True(float.IsPositiveInfinity(Adversarial.GeneratorLoss(torch.zeros(3), tiny: 0).item<float>()));
    }

    [Fact]
    public void PerfectDiscriminatorHasZeroLossAndChanceHasLog4()
    {
        Assert.Equal(0.0, Adversarial.DiscriminatorLoss(torch.ones(4), torch.zeros(4), tiny: 0).item<float>(), 6);
        // At D ≡ ½ (the equilibrium) the loss is 2 ln 2.
        Assert.Equal(2 * Math.Log(2), Adversarial.DiscriminatorLoss(torch.full(4, 0.5f), torch.full(4, 0.5f), tiny: 0).item<float>(), 5);
    }

    [Fact]
    public void AccuracyAveragesRealAndFakeHitRates()
    {
        Assert.Equal(0.5, Adversarial.Accuracy(torch.tensor(new[] { 0.9f, 0.4f }), torch.tensor(new[] { 0.2f, 0.7f })).item<float>(), 6);
        // Real 2/2 right, fake 1/2 right (0.6 > ½ is called real) → ¾; unequal sizes weigh equally.
        Assert.Equal(0.75, Adversarial.Accuracy(torch.tensor(new[] { 0.9f, 0.8f }), torch.tensor(new[] { 0.1f, 0.6f })).item<float>(), 6);
        Assert.Equal(0.75, Adversarial.Accuracy(torch.tensor(new[] { 0.9f }), torch.tensor(new[] { 0.1f, 0.6f, 0.3f, 0.7f })).item<float>(), 6);
    }
}
