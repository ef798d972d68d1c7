using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Aae;
using VaeLab.Experiments.Collapse;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Losses;
using VaeLab.Training;

namespace VaeLab.Bench;

/// <summary>Every notebook model's training step at its document's batch size, on random inputs of the right shape.</summary>
public static class Cases
{
    static Tensor Images(int n) => torch.rand(n, 1, 28, 28, device: Lab.Device);

    /// <summary>A closure doing one full optimizer step, and the FLOPs of one such step (3 × forward).</summary>
    static (Action, double) StepOf(nn.Module model, Func<Tensor> loss, params optim.Optimizer[] opts)
    {
        double flops = Flops.TrainingStep(model, () => loss());
        return (() =>
        {
            using var _ = torch.NewDisposeScope();
            foreach (var o in opts) o.zero_grad();
            var l = loss();
            l.backward();
            foreach (var o in opts) o.step();
            l.item<float>();
        }, flops);
    }

    public static IEnumerable<ModelCase> All() => Seed002().Concat(Seed003()).Concat(new[]
    {
        new ModelCase("conv VAE, collapse (seed 004)", 64, null, () =>
        {
            var cfg = CollapseConfig.For("paper");
            var m = new CollapseConvVae(cfg.LatentDim, cfg.ConvChannels).to(Lab.Device);
            var opt = Optimizers.Adam(m.parameters(), cfg.LearningRate);
            var x = Images(64);
            return StepOf(m, () => { var o = m.forward(x); return MseKl.Loss(o.Logits, x, o.Mean, o.LogVar, 1.0).Total; }, opt);
        }),
        new ModelCase("MLP VAE (seed 004)", 64, null, () =>
        {
            var cfg = CollapseConfig.For("paper");
            var m = new MlpVae(cfg.MlpHidden, cfg.LatentDim).to(Lab.Device);
            var opt = Optimizers.Adam(m.parameters(), cfg.LearningRate);
            var x = Images(64);
            return StepOf(m, () => { var o = m.forward(x); return MseKl.Loss(o.Logits, x, o.Mean, o.LogVar, 1.0).Total; }, opt);
        }),
        // The same two models, K = 8 members trained as one batched model (notebook 03/04's sweeps): a step is K
        // members' steps, so its FLOPs are K times the plain model's.
        new ModelCase("conv VAE, collapse, batched K=8", 64 * 8, 0.50, () => Batched(new CollapseConvVae(10, CollapseConfig.For("paper").ConvChannels), 8),
            "grouped convolutions of 16 and 32 channels per member stay small kernels for oneDNN"),
        new ModelCase("MLP VAE, batched K=8", 64 * 8, 0.50, () => Batched(new MlpVae(CollapseConfig.For("paper").MlpHidden, 10), 8),
            "its layers are 64 units wide: each member's products are 64×784 by 784×64, far from the 2048² shape of the reference, and the element-wise passes over 8×64×784 pixels cost as much"),
        new ModelCase("VHE (seed 000)", 128, null, () => VheStep(1)),
        // Three members' examples in one model's step: what a batched VHE of 3 members could reach at best (its batched
        // products are no larger than this step's), so its rate over the row above bounds the gain of batching the VHE.
        new ModelCase(VheThreeMembersBound, 3 * 128, null, () => VheStep(3)),
    });

    public const string VheThreeMembersBound = "VHE, 3×128 examples in one step";

    static (Action, double) VheStep(int members)
    {
        var cfg = VheConfig.For("paper");
        int batch = members * cfg.BatchSize;
        var m = new Vhe(cfg.LatentDim, cfg.HiddenDim).to(Lab.Device);
        var opt = Optimizers.Adam(m.parameters(), 1e-3);
        var x = Images(batch);
        var set = torch.rand(new long[] { batch, cfg.SetSize, 1, 28, 28 }, device: Lab.Device);
        var w = torch.full(batch, 1.0 / cfg.SetSize, device: Lab.Device);
        return StepOf(m, () => HomoencoderLoss.Vhe(x, m.forward(x, set), w).Total.mean(), opt);
    }

    /// <summary>A training step of <paramref name="members"/> copies of <paramref name="plain"/> as one batched model
    /// (as CollapseTrainer.TrainMany runs it: own noise per member, member losses summed), batch 64 per member.</summary>
    static (Action, double) Batched<TModel>(TModel plain, int members) where TModel : nn.Module<Tensor, VaeLab.Nn.VaeOutput>, IGaussianVae
    {
        plain.to(Lab.Device);
        var one = Images(64);
        double flops = members * Flops.TrainingStep(plain, () => plain.forward(one));
        var net = VaeMembers.Batched(plain, members);
        net.Module.to(Lab.Device);
        for (int k = 0; k < members; k++) net.Load(k, plain);
        var opt = Optimizers.Adam(net.Module.parameters(), 1e-3);
        var x = torch.rand(new long[] { members, 64, 1, 28, 28 }, device: Lab.Device);
        var beta = torch.ones(members, device: Lab.Device);
        return (() =>
        {
            using var _ = torch.NewDisposeScope();
            opt.zero_grad();
            var (mean, logVar) = net.Encode(x);
            var logits = net.Decode(Gaussian.Reparameterize(mean, logVar));
            var l = MseKl.MemberLoss(logits, x, mean, logVar, beta).Total.sum();
            l.backward();
            opt.step();
            l.item<float>();
        }, flops);
    }

    /// <summary>Notebook 02's conv VAE step on the ELBO at <paramref name="batch"/>.</summary>
    public static (Action, double) ConvVaeElboStep(int batch)
    {
        var m = new ConvVae(latent: 2).to(Lab.Device);
        var opt = Optimizers.Adam(m.parameters(), 1e-4);
        var x = Images(batch);
        return StepOf(m, () => { var o = m.forward(x); return ElboVsMmdLoss.NegativeElbo(o.Logits, x, o.Z, o.Mean, o.LogVar).Loss; }, opt);
    }

    static IEnumerable<ModelCase> Seed002() => new[]
    {
        new ModelCase("conv VAE, ELBO (seed 002)", 100, 0.75, () => ConvVaeElboStep(100), WhenMissed: "{1}"),
        new ModelCase("MMD-VAE (seed 002)", 100, null, () =>
        {
            var m = new MmdVae(latent: 2).to(Lab.Device);
            var opt = Optimizers.Adam(m.parameters(), 1e-4);
            var x = Images(100);
            return StepOf(m, () => { var o = m.forward(x); return ElboVsMmdLoss.MmdVae(o.Reconstruction, x, o.Z, 1.0).Loss; }, opt);
        }),
    };

    // The three AAE phases of one minibatch (reconstruction, discriminator, generator) at the document's width.
    static IEnumerable<ModelCase> Seed003() => new[]
    {
        new ModelCase("AAE 3 phases, 1000 wide (seed 003)", 100, 0.70, () =>
        {
            var cfg = AaeConfig.For("paper");
            var t = new AaeTrainer(cfg);
            var x = torch.rand(cfg.BatchSize, 784, device: Lab.Device);
            double q = Flops.Forward(t.Q, () => t.Q.forward(x));
            var z = torch.randn(cfg.BatchSize, cfg.LatentDim, device: Lab.Device);
            double p = Flops.Forward(t.P, () => t.P.forward(z));
            double d = Flops.Forward(t.D, () => t.D.forward(z));
            // recon: fwd+bwd of Q and P; discriminator: Q forward only, D fwd+bwd on real and fake; generator: fwd+bwd of Q and D.
            double flops = 3 * (q + p) + (q + 3 * 2 * d) + 3 * (q + d);
            return (() =>
            {
                using var _ = torch.NewDisposeScope();
                t.ReconstructionPhase(x);
                t.DiscriminatorPhase(x);
                t.GeneratorPhase(x).Loss.item<float>();
            }, flops);
        }, WhenMissed: "its 1000-wide layers alone run at {0:P0} of the 2048² rate (row above); the AAE step breakdown below " +
                       "times its four Adam updates alone and what the step would reach if they took no time: the rest is the " +
                       "element-wise dropout, ReLU, sigmoid and BCE passes of both directions and autograd, not the optimizer"),
    };
}
