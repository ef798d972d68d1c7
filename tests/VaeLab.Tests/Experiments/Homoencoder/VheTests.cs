using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class VheTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ParameterCountsArePinned()
    {
        // Each MLP is in→512→out: in·512 + 512 + 512·out + out. Code 20, pixels 784.
        long Mlp(long i, long o) => i * 512 + 512 + 512 * o + o;
        long vhe = 2 * Mlp(784, 20) + 2 * Mlp(784 + 20, 20) + 2 * Mlp(20, 20) + Mlp(40, 784);
        Assert.Equal(2_134_408, vhe);
        Assert.Equal(vhe, Count(new Vhe(20)));
        long vae = 2 * Mlp(784, 40) + Mlp(40, 784);
        Assert.Equal(1_268_064, vae);
        Assert.Equal(vae, Count(new VheBaselineVae(40)));
    }

    [Fact]
    public void ShapesFollowTheBatchTheSetAndTheCode()
    {
        Lab.Setup(seed: 0);
        var model = new Vhe(latentDim: 3, hidden: 16);
        var o = model.forward(torch.rand(4, 1, 28, 28), torch.rand(new long[] { 4, 5, 1, 28, 28 }));
        Assert.Equal(new long[] { 4, 784 }, o.Logits.shape);
        foreach (var t in new[] { o.CMean, o.CLogStd, o.C, o.ZMean, o.ZLogStd, o.Z, o.PriorZMean, o.PriorZLogStd })
            Assert.Equal(new long[] { 4, 3 }, t.shape);
        var vae = new VheBaselineVae(6, hidden: 16).forward(torch.rand(4, 784));
        Assert.Equal(new long[] { 4, 784 }, vae.Logits.shape);
        Assert.Equal(new long[] { 4, 6 }, vae.Z.shape);
    }

    [Fact]
    public void ClassCodeIsTheAverageOverTheSet()
    {
        Lab.Setup(seed: 1);
        var model = new Vhe(latentDim: 3, hidden: 16);
        var x = torch.rand(2, 784);
        var a = torch.rand(2, 1, 784); var b = torch.rand(2, 1, 784);
        var single = (model.forward(x, a), model.forward(x, b));
        var pair = model.forward(x, torch.cat(new[] { a, b }, 1));
        // Mean and log-std of q(c|{a,b}) are the averages of those of q(c|{a}) and q(c|{b}).
        Assert.True(pair.CMean.allclose((single.Item1.CMean + single.Item2.CMean) / 2, rtol: 1e-5, atol: 1e-6));
        Assert.True(pair.CLogStd.allclose((single.Item1.CLogStd + single.Item2.CLogStd) / 2, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void SetsOfTheWrongShapeAreAClearError()
    {
        var model = new Vhe(latentDim: 3, hidden: 16);
        var e = Assert.Throws<ArgumentException>(() => model.forward(torch.rand(4, 784), torch.rand(3, 5, 784)));
        Assert.Contains("N×|D|", e.Message);
    }

    [Fact]
    public void ATrainStepChangesWeightsAndEvaluationDoesNot()
    {
        Lab.Setup(seed: 2);
        var model = new Vhe(latentDim: 3, hidden: 16);
        var opt = Optimizers.Adam(model.parameters(), 1e-3);
        var x = torch.rand(6, 784); var sets = torch.rand(6, 4, 784); var w = torch.full(6, 0.25f);
        Tensor[] Snapshot() => model.parameters().Select(p => p.detach().clone()).ToArray();
        bool Same(Tensor[] a) => a.Zip(model.parameters()).All(t => t.First.equal(t.Second).all().item<bool>());

        var before = Snapshot();
        double loss;
        using (Inference.Evaluating(model)) loss = HomoencoderLoss.Vhe(x, model.forward(x, sets), w).Total.mean().item<float>();
        Assert.True(double.IsFinite(loss) && loss > 0);
        Assert.True(Same(before));
        Assert.True(model.training);

        var ctx = new StepContext("test", NonFinitePolicy.Stop, new Dictionary<string, double>());
        var (terms, output) = VheTrainer.VheStep(model, opt, x, sets, w, ctx);
        Assert.NotNull(output);
        Assert.False(Same(before));
        Assert.True(terms["grad_z"].item<float>() > 0 && terms["grad_c"].item<float>() > 0);
        Assert.Equal(terms["recon"].item<float>() + terms["kl_c"].item<float>() + terms["kl_z"].item<float>(), terms["loss"].item<float>(), 2);
    }

    [Fact]
    public void EachExamplesCodesReachOnlyItsOwnLossTerm()
    {
        // VheStep reports b·‖∂(batch mean)/∂z_i‖ as ‖∂loss_i/∂z_i‖; that holds because z_i and c_i feed no other
        // example's term. Check it: the gradient of example 0's term is zero on every other row.
        Lab.Setup(seed: 3);
        var model = new Vhe(latentDim: 3, hidden: 16);
        var o = model.forward(torch.rand(4, 784), torch.rand(4, 2, 784));
        o.Z.retain_grad(); o.C.retain_grad();
        HomoencoderLoss.Vhe(torch.rand(4, 784), o, torch.full(4, 0.5f)).Total[0].backward();
        foreach (var g in new[] { o.Z.grad!, o.C.grad! })
        {
            Assert.True(g[0].norm().item<float>() > 0);
            Assert.Equal(0f, g[TensorIndex.Slice(1, null)].abs().max().item<float>());
        }
    }
}
