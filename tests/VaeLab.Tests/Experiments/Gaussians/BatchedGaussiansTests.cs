using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Gaussians;
using VaeLab.Losses;
using VaeLab.Reporting;
using VaeLab.Training;
using VaeLab.Tests.Training;

namespace VaeLab.Tests.Experiments.Gaussians;

/// <summary>
/// Notebook 01's seeds trained together (<see cref="GaussiansTrainer.TrainVaes"/>, <see cref="GaussiansTrainer.TrainAutoencoders"/>)
/// give what each seed gives alone: the batched models compute each member's outputs and gradients, the member
/// losses are the plain losses of each slice, a run alone follows a plain training loop written out here, and a
/// member's per-step terms agree with the same seed trained alone, also beside a member that diverges and when some
/// members come from the cache.
/// </summary>
public sealed class BatchedGaussiansTests : IDisposable
{
    readonly TempCheckpointCache _cache = new();
    public BatchedGaussiansTests() => RunLog.Begin();
    public void Dispose() => _cache.Dispose();

    static readonly GaussiansConfig Small = GaussiansConfig.For("smoke") with { TrainExamples = 120, Epochs = 5, BatchSize = 40, HiddenDim = 6 };
    static readonly int[] Seeds = [3, 4, 5];

    static void SameSteps(History expected, History actual, string name)
    {
        Assert.NotEmpty(expected.StepValues);
        foreach (var term in expected.StepValues.Keys)
        {
            var e = expected.Steps(term);
            var a = actual.Steps(term);
            Assert.Equal(e.Count, a.Count);
            for (int i = 0; i < e.Count; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"{name}: {term} at step {i}: alone {e[i]}, batched {a[i]}");
        }
    }

    static void Close(Tensor expected, Tensor actual, string what) =>
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"{what}: max |diff| {(actual - expected).abs().max().item<float>()}");

    [Fact]
    public void BatchedModelsComputeEachMembersOutputsAndGradients()
    {
        Lab.Setup(seed: 21, threads: 1);
        var x = torch.randn(3, 7, 2);
        var vaes = Enumerable.Range(0, 3).Select(_ => new GaussianVae(2, 6, 1, 3)).ToArray();
        var batchedVae = new BatchedGaussianVae(3, vaes[0]);
        var aes = Enumerable.Range(0, 3).Select(_ => new Autoencoder2D(2, 6, 1)).ToArray();
        var batchedAe = new BatchedAutoencoder2D(3, aes[0]);
        for (int k = 0; k < 3; k++) { batchedVae.Load(k, vaes[k]); batchedAe.Load(k, aes[k]); }
        var eps = torch.randn(3, 7, 3, 1);
        var o = batchedVae.Forward(x, eps);
        Assert.Equal(new long[] { 3, 7, 3, 2 }, o.XMean.shape);
        var memberLoss = -GaussiansLoss.MemberVae(x, o).Elbo.mean(new long[] { 1 });
        memberLoss.sum().backward();
        var ae = batchedAe.call(x);
        GaussiansLoss.MemberAutoencoder(ae.Reconstruction, x).sum().backward();
        for (int k = 0; k < 3; k++)
        {
            var p = vaes[k].Forward(x[k], eps[k]);
            Close(p.ZMean, o.ZMean[k], $"VAE member {k}: q(z|x) mean");
            Close(p.XMean, o.XMean[k], $"VAE member {k}: p(x|z) mean");
            Close(p.XLogVar, o.XLogVar[k], $"VAE member {k}: p(x|z) log-variance");
            (-GaussiansLoss.Vae(x[k], p).Elbo.mean()).backward();
            var plainAe = aes[k].call(x[k]);
            Close(plainAe.Code, ae.Code[k], $"AE member {k}: code");
            Close(plainAe.Reconstruction, ae.Reconstruction[k], $"AE member {k}: reconstruction");
            GaussiansLoss.Autoencoder(plainAe.Reconstruction, x[k]).backward();
            // Member k's block of every batched gradient is the plain model's gradient.
            foreach (var (batched, plain) in new (nn.Module, nn.Module)[] { (batchedVae, vaes[k]), (batchedAe, aes[k]) })
            {
                var b = batched.named_parameters().ToDictionary(n => n.name, n => n.parameter);
                foreach (var (name, param) in plain.named_parameters())
                    Close(param.grad!.reshape(-1), b[name].grad!.view(3, -1)[k], $"{plain.GetName()} member {k}: gradient of {name}");
            }
        }
    }

    [Fact]
    public void MemberLossesAreThePlainLossesOfEachSlice()
    {
        Lab.Setup(seed: 22, threads: 1);
        var x = torch.randn(2, 5, 2);
        var output = new GaussianVaeOutput(torch.randn(2, 5, 1), torch.randn(2, 5, 1), torch.randn(2, 5, 3, 1), torch.randn(2, 5, 3, 2),
            torch.randn(2, 5, 3, 2));
        var member = GaussiansLoss.MemberVae(x, output);
        var recon = torch.randn(2, 5, 2);
        var memberAe = GaussiansLoss.MemberAutoencoder(recon, x);
        Assert.Equal(new long[] { 2 }, memberAe.shape);
        for (int k = 0; k < 2; k++)
        {
            var plain = Elbo.GaussianLikelihood(x[k], output.XMean[k], output.XLogVar[k], output.ZMean[k], output.ZLogVar[k]);
            Close(plain.Elbo, member.Elbo[k], $"ELBO of member {k}");
            Close(plain.Kl, member.Kl[k], $"KL of member {k}");
            Close(GaussiansLoss.Autoencoder(recon[k], x[k]), memberAe[k], $"squared error of member {k}");
        }
        Assert.Contains("K×B×d_x", Assert.Throws<ArgumentException>(() => GaussiansLoss.MemberVae(x[0], output)).Message);
    }

    [Fact]
    public void ARunAloneFollowsAPlainTrainingLoop()
    {
        // The VAE's training written out with the plain model: same init (seeded), batch order (BatchLoader with the
        // seed), noise (the run's generator), Adam and loss. Two epochs of per-step terms must agree.
        Lab.Setup(seed: 23, threads: 1);
        var cfg = Small with { Epochs = 2, Seed = 7 };
        var train = GaussianMixture2D.Sample(cfg.TrainExamples, cfg.DataSeed);
        var run = GaussiansTrainer.TrainVae(cfg, train, retrain: true);
        Lab.Seed(cfg.Seed);
        var plain = new GaussianVae(2, cfg.HiddenDim, 1, cfg.SamplesZ);
        var opt = Optimizers.Adam(plain.parameters(), cfg.LearningRate);
        var loader = new BatchLoader(train, null, cfg.BatchSize, cfg.Seed);
        using var noise = MemberNoise.Generator(cfg.Seed);
        var elbos = new List<double>();
        for (int e = 0; e < cfg.Epochs; e++)
            foreach (var batch in loader.Epoch(e))
            {
                var eps = torch.randn(new[] { batch.X.shape[0], cfg.SamplesZ, 1L }, generator: noise);
                var elbo = GaussiansLoss.Vae(batch.X, plain.Forward(batch.X, eps)).Elbo.mean();
                elbos.Add(elbo.item<float>());
                opt.zero_grad();
                (-elbo).backward();
                opt.step();
            }
        var expected = new History();
        foreach (var v in elbos) expected.AddStep(new Dictionary<string, double> { ["elbo"] = v });
        SameSteps(expected, run.History, "vae alone");
    }

    [Fact]
    public void AMemberTrainedInABatchMatchesItTrainedAlone()
    {
        Lab.Setup(seed: 24, threads: 1);
        var train = GaussianMixture2D.Sample(Small.TrainExamples, Small.DataSeed);
        var vaes = GaussiansTrainer.TrainVaes(Small, Seeds, train);
        var aes = GaussiansTrainer.TrainAutoencoders(Small, Seeds, train);
        Assert.Equal(Small.Epochs * 3, vaes[0].History.Steps("elbo").Count);
        for (int k = 0; k < 3; k++)
        {
            var c = Small with { Seed = Seeds[k] };
            Assert.False(vaes[k].FromCache || aes[k].FromCache);
            SameSteps(GaussiansTrainer.TrainVae(c, train, retrain: true).History, vaes[k].History, vaes[k].Name);
            SameSteps(GaussiansTrainer.TrainAutoencoder(c, train, retrain: true).History, aes[k].History, aes[k].Name);
        }
        // Members differ (seeds), so the comparison is not of one run with itself.
        Assert.NotEqual(vaes[0].History.Steps("elbo")[0], vaes[1].History.Steps("elbo")[0]);
    }

    [Fact]
    public void ADivergingMemberStopsAloneAndIsNotCached()
    {
        Lab.Setup(seed: 25, threads: 1);
        var train = GaussianMixture2D.Sample(Small.TrainExamples, Small.DataSeed);
        // Seed 4's VAE starts with a NaN weight: its ELBO is NaN at step 0.
        void Poison(int seed, GaussianVae m) { if (seed == 4) using (torch.no_grad()) m.parameters().First()[0, 0].fill_(double.NaN); }
        var e = Assert.Throws<NonFiniteLossException>(() => GaussiansTrainer.TrainVaes(Small, Seeds, train, false, Poison));
        Assert.Equal(0, e.Step);
        Assert.Contains("seed 4", e.Message);
        // The others ran to the end, as they would alone, and were cached; the stopped one was not.
        var again = GaussiansTrainer.TrainVaes(Small, [3, 5], train);
        Assert.All(again, r => Assert.True(r.FromCache));
        SameSteps(GaussiansTrainer.TrainVae(Small with { Seed = 3 }, train, retrain: true).History, again[0].History, "seed 3 beside a diverging member");
        Assert.Throws<NonFiniteLossException>(() => GaussiansTrainer.TrainVaes(Small, [4], train, false, Poison));
    }

    [Fact]
    public void CachedMembersLoadAndOnlyTheMissingOnesTrain()
    {
        Lab.Setup(seed: 26, threads: 1);
        var train = GaussianMixture2D.Sample(Small.TrainExamples, Small.DataSeed);
        var first = GaussiansTrainer.TrainAutoencoders(Small, Seeds[..2], train);
        var all = GaussiansTrainer.TrainAutoencoders(Small, Seeds, train);
        Assert.True(all[0].FromCache && all[1].FromCache);
        Assert.False(all[2].FromCache);
        Assert.Equal(first[1].History.Steps("loss"), all[1].History.Steps("loss"));
        // The member trained in a batch wrote the entry that training it alone reads, and BatchedMembers is no part of it.
        Assert.True(GaussiansTrainer.TrainAutoencoder(Small with { Seed = 5 }, train).FromCache);
        Assert.All(GaussiansTrainer.TrainAutoencoders(Small with { BatchedMembers = 1 }, Seeds, train), r => Assert.True(r.FromCache));
    }

    [Fact]
    public void TheDrawsAfterTrainingDoNotDependOnWhichSeedsWereCached()
    {
        Lab.Setup(seed: 27, threads: 1);
        var train = GaussianMixture2D.Sample(Small.TrainExamples, Small.DataSeed);
        GaussiansTrainer.TrainVaes(Small, Seeds[1..], train);
        GaussiansTrainer.TrainVaes(Small, Seeds, train);  // the last two load, the first trains
        var afterPartlyCached = torch.rand(4).data<float>().ToArray();
        GaussiansTrainer.TrainVaes(Small, Seeds, train);  // every seed loads
        Assert.Equal(afterPartlyCached, torch.rand(4).data<float>().ToArray());
    }
}
