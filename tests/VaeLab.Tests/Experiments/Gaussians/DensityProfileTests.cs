using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Gaussians;
using VaeLab.Metrics;

namespace VaeLab.Tests.Experiments.Gaussians;

public class DensityProfileTests
{
    [Fact]
    public void LogDensityAtAMeanMatchesTheClosedForm()
    {
        // At (−2, −2): ½·1/(2π) from its own component, ½·e^{−32/2}/(2π) from the other (squared distance 32).
        var at = torch.tensor(new float[,] { { -2, -2 }, { 2, 2 } });
        var logp = GaussianMixture2D.LogDensity(at).data<double>().ToArray();
        double expected = Math.Log(1 / (4 * Math.PI) * (1 + Math.Exp(-16)));
        Assert.Equal(expected, logp[0], 10);
        Assert.Equal(expected, logp[1], 10);
        // Wider clusters, σ = 2: (1/(4π·4))(1 + e^{−32/8}).
        Assert.Equal(Math.Log(1 / (16 * Math.PI) * (1 + Math.Exp(-4))), GaussianMixture2D.LogDensity(at, std: 2).data<double>()[0], 10);
        // Far from both means it stays finite (log-sum-exp).
        Assert.True(double.IsFinite(GaussianMixture2D.LogDensity(torch.tensor(new float[,] { { 100, -100 } })).data<double>()[0]));
    }

    [Fact]
    public void DensityIntegratesToOne()
    {
        const double h = 0.05;
        var axis = torch.arange(-9.0, 9.0, h, dtype: ScalarType.Float64);
        var grid = torch.stack(torch.meshgrid(new[] { axis, axis }, indexing: "ij"), -1).reshape(-1, 2);
        double mass = GaussianMixture2D.LogDensity(grid).exp().sum().item<double>() * h * h;
        Assert.True(Math.Abs(mass - 1) < 1e-3, $"integral {mass}");
    }

    [Fact]
    public void MeanLogDensityOfDataIsMinusTheEntropy()
    {
        // With the clusters far apart, log p = log ½ − log 2π − r²/2 with r² ~ χ²₂ (mean 2, variance 4): E = log ½ − log 2π − 1,
        // standard error 1/√n.
        var x = GaussianMixture2D.Sample(20_000, seed: 3, mean0: (-50f, -50f), mean1: (50f, 50f));
        double mean = GaussianMixture2D.LogDensity(x, (-50f, -50f), (50f, 50f)).mean().item<double>();
        Assert.Equal(Math.Log(0.5) - Math.Log(2 * Math.PI) - 1, mean, 1);
    }

    [Fact]
    public void DataAgainstDataIsNearZero()
    {
        var a = GaussianMixture2D.Sample(4000, seed: 11);
        var b = GaussianMixture2D.Sample(4000, seed: 12);
        double d = DensityProfile.Distance(a, b);
        Assert.True(d < KolmogorovSmirnov.CriticalValue(0.001, 4000, 4000), $"D = {d}");
    }

    [Fact]
    public void PointsProjectedOntoTheLineThroughTheMeansAreTooDenseByTheClosedForm()
    {
        // Projecting each point onto the diagonal through both means keeps its offset t ~ N(0, 1) along the line and drops
        // the one across: squared distance to the mean t² ~ χ²₁ instead of χ²₂. KS is invariant under the monotone map from
        // r² to log p (exact up to the far component's e^{−16}), so D = max_u |erf(√(u/2)) − (1 − e^{−u/2})| = 0.3024, and the
        // mean log-density rises by ½ nat (E r²/2 falls from 1 to ½).
        var data = GaussianMixture2D.Sample(4000, seed: 21);
        var reference = GaussianMixture2D.Sample(4000, seed: 22);
        var u = torch.tensor(new float[] { 1, 1 }) / Math.Sqrt(2);
        var projected = data.matmul(u).unsqueeze(1) * u.unsqueeze(0);
        double d = DensityProfile.Distance(projected, reference);
        Assert.True(Math.Abs(d - 0.3024) < 0.04, $"D = {d}");
        double rise = DensityProfile.MeanLogDensity(projected) - DensityProfile.MeanLogDensity(reference);
        Assert.True(Math.Abs(rise - 0.5) < 0.08, $"mean log-density rise {rise}");
        // Points between the clusters (the midline) fall off the data: lower density, D near 1.
        var between = data * 0.1;
        Assert.True(DensityProfile.Distance(between, reference) > 0.9);
        Assert.True(DensityProfile.MeanLogDensity(between) < DensityProfile.MeanLogDensity(reference) - 2);
    }

    [Fact]
    public void ModelVersionsRunOnUntrainedModels()
    {
        Lab.Setup(seed: 5, threads: 1);
        var x = GaussianMixture2D.Sample(200, seed: 1);
        var data = GaussianMixture2D.Sample(200, seed: 2);
        var ae = DensityProfile.OfAutoencoder(new Autoencoder2D(), x, data);
        var vae = DensityProfile.OfVae(new GaussianVae(), x, data);
        Assert.InRange(ae.Distance, 0, 1);
        Assert.InRange(vae.Distance, 0, 1);
        Assert.Equal(new long[] { 200, 2 }, ae.Points.shape);
        Assert.Equal(DensityProfile.Distance(ae.Points, data), ae.Distance);
        Assert.Equal(DensityProfile.MeanLogDensity(vae.Points), vae.MeanLogDensity);
    }
}
