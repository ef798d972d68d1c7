using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;
using VaeLab.Experiments.Gaussians;
using VaeLab.Losses;

namespace VaeLab.Tests.Experiments.Gaussians;

public class GaussianVaeTests
{
    static Tensor FixedData()
    {
        Lab.Setup(seed: 41, threads: 1);
        var noise = torch.randn(256, 2);
        var centres = torch.tensor(new float[] { -2, -2, 2, 2 }, new long[] { 2, 2 }).index_select(0, torch.arange(256).remainder(2));
        return noise + centres;
    }

    static Tensor NegativeElbo(GaussianVae vae, Tensor x)
    {
        var o = vae.forward(x);
        return -GaussiansLoss.Vae(x, o).Elbo.mean();
    }

    [Fact]
    public void ParameterCountIsPinned()
    {
        // The document's sizes: 2→10 (30), 10→2·1 (22), 1→10 (20), 10→2·2 (44); the encoder φ is the first two.
        var vae = new GaussianVae();
        Assert.Equal(116, vae.parameters().Sum(p => p.numel()));
        Assert.Equal(52, vae.EncoderParameters().Sum(p => p.numel()));
    }

    [Fact]
    public void OutputsPosteriorSamplesAndALikelihoodPerSample()
    {
        Lab.Setup(seed: 42, threads: 1);
        var o = new GaussianVae(samplesZ: 3).forward(torch.randn(5, 2));
        Assert.Equal(new long[] { 5, 1 }, o.ZMean.shape);
        Assert.Equal(new long[] { 5, 1 }, o.ZLogVar.shape);
        Assert.Equal(new long[] { 5, 3, 1 }, o.Z.shape);
        Assert.Equal(new long[] { 5, 3, 2 }, o.XMean.shape);
        Assert.Equal(new long[] { 5, 3, 2 }, o.XLogVar.shape);
        Assert.Equal(new long[] { 7, 2 }, new GaussianVae().Sample(7).shape);
    }

    [Fact]
    public void GradientsAreFiniteAndNonZeroForEveryParameter()
    {
        var x = FixedData();
        var vae = new GaussianVae();
        NegativeElbo(vae, x).backward();
        foreach (var (name, p) in vae.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void ThreeHundredStepsOnFixedDataRaiseTheElbo()
    {
        var x = FixedData();
        var vae = new GaussianVae();
        var opt = Optimizers.Adam(vae.parameters(), 1e-2);
        var losses = new List<float>();
        for (int i = 0; i < 300; i++)
        {
            using var _ = torch.NewDisposeScope();
            var loss = NegativeElbo(vae, x);
            losses.Add(loss.item<float>());
            opt.zero_grad(); loss.backward(); opt.step();
        }
        // Compare averages of 20 steps: the ELBO is a Monte-Carlo estimate (3 latent samples), so single steps are noisy.
        float first = losses.Take(20).Average(), last = losses.TakeLast(20).Average();
        Assert.True(last < first - 1.0, $"−ELBO {first} -> {last} nats");
    }

    [Fact]
    public void ATrainingStepChangesTheWeightsAndAnEvaluationDoesNot()
    {
        var x = FixedData();
        var vae = new GaussianVae();
        var before = vae.parameters().Select(p => p.detach().clone()).ToList();
        vae.eval();
        using (torch.no_grad()) { NegativeElbo(vae, x); vae.Sample(10); }
        Assert.All(vae.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
        vae.train();
        var opt = Optimizers.Adam(vae.parameters(), 1e-3);
        NegativeElbo(vae, x).backward();
        opt.step();
        Assert.All(vae.parameters().Zip(before), pair => Assert.False(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }

    [Fact]
    public void SamplesFollowTheLikelihoodOfPriorDraws()
    {
        // With the decoder's output layer zeroed, p(x|z) = N(bias mean, exp(bias logVar)) for every z: the samples'
        // mean and variance must match it (within 5 standard errors over 20 000 samples).
        Lab.Setup(seed: 43, threads: 1);
        var vae = new GaussianVae();
        var layer = vae.named_parameters().Where(p => p.name.StartsWith("hiddenLikelihood")).ToDictionary(p => p.name, p => p.parameter);
        using (torch.no_grad())
        {
            layer["hiddenLikelihood.weight"].zero_();
            layer["hiddenLikelihood.bias"].copy_(torch.tensor(new float[] { 1.5f, -2f, (float)Math.Log(0.25), (float)Math.Log(4) }));
        }
        const int n = 20_000;
        var s = vae.Sample(n).to(ScalarType.Float64);
        var mean = s.mean(new long[] { 0 }).data<double>().ToArray();
        var variance = s.var(0).data<double>().ToArray();
        double[] trueMean = { 1.5, -2 }, trueVar = { 0.25, 4 };
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(mean[j] - trueMean[j]) <= 5 * Math.Sqrt(trueVar[j] / n), $"mean[{j}] {mean[j]}");
            // Var of a Gaussian sample variance: 2σ⁴/(n−1).
            Assert.True(Math.Abs(variance[j] - trueVar[j]) <= 5 * trueVar[j] * Math.Sqrt(2.0 / (n - 1)), $"var[{j}] {variance[j]}");
        }
    }
}
