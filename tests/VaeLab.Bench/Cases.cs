using TorchSharp;
using VaeLab.Losses;
using VaeLab.Models;
using VaeLab.Training;
using static TorchSharp.torch;

namespace VaeLab.Bench;

/// <summary>Every notebook model's training step at its document's batch size, on random inputs of the right shape.</summary>
public static partial class Cases
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
            var opt = optim.Adam(m.parameters(), cfg.LearningRate);
            var x = Images(64);
            return StepOf(m, () => { var o = m.forward(x); return MseKl.Loss(o.Logits, x, o.Mean, o.LogVar, 1.0).Total; }, opt);
        }),
        new ModelCase("MLP VAE (seed 004)", 64, null, () =>
        {
            var cfg = CollapseConfig.For("paper");
            var m = new MlpVae(cfg.MlpHidden, cfg.LatentDim).to(Lab.Device);
            var opt = optim.Adam(m.parameters(), cfg.LearningRate);
            var x = Images(64);
            return StepOf(m, () => { var o = m.forward(x); return MseKl.Loss(o.Logits, x, o.Mean, o.LogVar, 1.0).Total; }, opt);
        }),
        new ModelCase("VHE (seed 000)", 128, null, () =>
        {
            var cfg = VheConfig.For("paper");
            var m = new Vhe(cfg.CodeLength, cfg.Hidden).to(Lab.Device);
            var opt = optim.Adam(m.parameters(), 1e-3);
            var x = Images(cfg.BatchSize);
            var set = torch.rand(new long[] { cfg.BatchSize, cfg.SetSize, 1, 28, 28 }, device: Lab.Device);
            var w = torch.full(cfg.BatchSize, 1.0 / cfg.SetSize, device: Lab.Device);
            return StepOf(m, () => HomoencoderLoss.Vhe(x, m.forward(x, set), w).Total.mean(), opt);
        }),
    });

    private static partial IEnumerable<ModelCase> Seed002();
    private static partial IEnumerable<ModelCase> Seed003();
}
