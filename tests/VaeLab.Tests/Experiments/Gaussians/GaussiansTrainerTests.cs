using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Gaussians;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.Gaussians;

public class GaussiansTrainerTests
{
    static readonly GaussiansConfig Tiny = GaussiansConfig.For("smoke") with
    {
        TrainExamples = 200, Epochs = 30, BatchSize = 50,
        EstimatorSampleCounts = new[] { 1, 4 }, EstimatorDraws = 5, EstimatorInputs = 8,
    };

    [Fact]
    public void TrainingRecordsOneEntryPerEpochAndLowersTheLosses()
    {
        Lab.Setup(seed: 71, threads: 1);
        var train = GaussianMixture2D.Sample(Tiny.TrainExamples, Tiny.DataSeed);
        var ae = GaussiansTrainer.TrainAutoencoder(Tiny, train);
        var vae = GaussiansTrainer.TrainVae(Tiny, train);
        Assert.Equal(30, ae.History["loss"].Count);
        Assert.Equal(30, vae.History["elbo"].Count);
        Assert.True(ae.History.Last("loss") < ae.History["loss"][0], $"AE loss {ae.History["loss"][0]} -> {ae.History.Last("loss")}");
        Assert.True(vae.History.Last("elbo") > vae.History["elbo"][0], $"ELBO {vae.History["elbo"][0]} -> {vae.History.Last("elbo")}");
        // The recorded terms satisfy ELBO = log-likelihood − KL per epoch (means of per-step values, so up to float error).
        Assert.Equal(vae.History.Last("loglik") - vae.History.Last("kl"), vae.History.Last("elbo"), 4);
    }

    [Fact]
    public void DecodingsAndEstimatorDrawsHaveTheExpectedShapesAndOrder()
    {
        Lab.Setup(seed: 72, threads: 1);
        var train = GaussianMixture2D.Sample(Tiny.TrainExamples, Tiny.DataSeed);
        var ae = GaussiansTrainer.TrainAutoencoder(Tiny with { Epochs = 2 }, train);
        Assert.Equal(new long[] { 50, 2 }, GaussiansTrainer.DecodeUniformCodes(ae.Model, train, 50).shape);
        var vae = GaussiansTrainer.TrainVae(Tiny with { Epochs = 2 }, train);
        var draws = GaussiansTrainer.CompareEstimators(vae.Model, train.narrow(0, 0, Tiny.EstimatorInputs), Tiny);
        Assert.Equal(4, draws.Count);
        Assert.All(draws, d => Assert.Equal(new long[] { 5, 52 }, d.Draws.shape));
        Assert.Equal(new[] { GradientEstimator.ScoreFunction, GradientEstimator.Reparameterization, GradientEstimator.ScoreFunction, GradientEstimator.Reparameterization },
                     draws.Select(d => d.Estimator));
    }
}
