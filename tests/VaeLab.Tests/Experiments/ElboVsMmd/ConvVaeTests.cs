using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Losses;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ConvVaeTests
{
    // Encoder: conv1 32·(1·3·3) + 32 = 320; conv2 64·(32·3·3) + 64 = 18 496; dense (64·6·6 = 2304)·4 + 4 = 9 220 → 28 036.
    // Decoder: dense 2·1568 + 1568 = 4 704; convT1 32·64·9 + 64 = 18 496; convT2 64·32·9 + 32 = 18 464; convT3 32·1·9 + 1 = 289 → 41 953.
    const long EncoderParameters = 320 + 18_496 + 9_220;
    const long DecoderParameters = 4_704 + 18_496 + 18_464 + 289;

    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ParameterCountsMatchTheHandCount()
    {
        Assert.Equal(28_036, EncoderParameters);
        Assert.Equal(41_953, DecoderParameters);
        Assert.Equal(EncoderParameters, Count(new ConvEncoder(4)));
        Assert.Equal(DecoderParameters, Count(new ConvDecoder(2)));
        Assert.Equal(69_989, Count(new ConvVae(latent: 2)));
    }

    [Fact]
    public void TheChannelsLastDecoderComputesTheSameLogitsAndGradients()
    {
        Lab.Setup(seed: 3);
        var decoder = new ConvDecoder(2);
        var z = torch.randn(5, 2);
        bool saved = ConvDecoder.ChannelsLast;
        try
        {
            (Tensor Logits, Tensor Grad) Run(bool channelsLast)
            {
                ConvDecoder.ChannelsLast = channelsLast;
                decoder.zero_grad();
                var logits = decoder.call(z);
                logits.square().sum().backward();
                return (logits.detach().contiguous(), decoder.parameters().First().grad!.clone());
            }
            var (plain, plainGrad) = Run(false);
            var (last, lastGrad) = Run(true);
            Assert.Equal(new long[] { 5, 1, 28, 28 }, last.shape);
            Assert.True(last.allclose(plain, rtol: 1e-5, atol: 1e-6), $"max |diff| {(last - plain).abs().max().item<float>()}");
            Assert.True(lastGrad.allclose(plainGrad, rtol: 1e-4, atol: 1e-5));
        }
        finally { ConvDecoder.ChannelsLast = saved; }
    }

    [Fact]
    public void OutputShapesFollowTheLatentSize()
    {
        Lab.Setup(seed: 1);
        var model = new ConvVae(latent: 2);
        var x = torch.rand(5, 1, 28, 28);
        var o = model.forward(x);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, o.Logits.shape);
        Assert.Equal(new long[] { 5, 2 }, o.Mean.shape);
        Assert.Equal(new long[] { 5, 2 }, o.LogVar.shape);
        Assert.Equal(new long[] { 5, 2 }, o.Z.shape);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, model.Decode(torch.randn(3, 2)).shape);
    }

    [Fact]
    public void FlatImagesAreRejectedWithTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new ConvVae().forward(torch.rand(4, 784)));
        Assert.Contains("N×1×28×28", e.Message);
        Assert.Contains("reshape", e.Message);
    }

    [Fact]
    public void KerasInitialisationZeroesBiases()
    {
        var model = new ConvVae();
        foreach (var (name, p) in model.named_parameters())
            if (name.EndsWith("bias")) Assert.Equal(0.0, p.abs().max().item<float>());
    }

    [Fact]
    public void ATrainingStepChangesEveryTensorAndAnEvaluationChangesNone()
    {
        Lab.Setup(seed: 2);
        var model = new ConvVae();
        var opt = Optimizers.Adam(model.parameters(), 1e-3);
        var x = torch.rand(8, 1, 28, 28);
        Tensor[] Snapshot() => model.parameters().Select(p => p.detach().clone()).ToArray();

        var before = Snapshot();
        using (torch.no_grad())
        {
            model.eval();
            var (m, lv) = model.Encode(x);
            model.Decode(m);
            model.train();
        }
        var afterEval = Snapshot();
        for (int i = 0; i < before.Length; i++) Assert.True(before[i].eq(afterEval[i]).all().item<bool>(), $"evaluation changed parameter {i}");

        var o = model.forward(x);
        var loss = -Elbo.MonteCarlo(o.Logits, x, o.Z, o.Mean, o.LogVar).mean();
        opt.zero_grad(); loss.backward(); opt.step();
        var afterStep = Snapshot();
        for (int i = 0; i < before.Length; i++) Assert.False(before[i].eq(afterStep[i]).all().item<bool>(), $"training step left parameter {i} unchanged");
    }
}

public class MmdVaeTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ParameterCountsMatchTheHandCount()
    {
        // Encoder with a 2-wide head: 320 + 18 496 + 2304·2 + 2 = 23 426; decoder as in ConvVaeTests: 41 953.
        Assert.Equal(23_426, Count(new ConvEncoder(2)));
        Assert.Equal(65_379, Count(new MmdVae(latent: 2)));
    }

    [Fact]
    public void DeterministicCodesAndReconstructionIsTheSigmoidOfTheLogits()
    {
        Lab.Setup(seed: 3);
        var model = new MmdVae();
        var x = torch.rand(6, 1, 28, 28);
        var a = model.forward(x);
        var b = model.forward(x);
        Assert.Equal(new long[] { 6, 2 }, a.Z.shape);
        Assert.Equal(new long[] { 6, 1, 28, 28 }, a.Logits.shape);
        Assert.True(a.Z.eq(b.Z).all().item<bool>(), "the MMD-VAE encoder must not sample");
        Assert.True(a.Reconstruction.allclose(a.Logits.sigmoid()));
        Assert.True(a.Reconstruction.min().item<float>() > 0 && a.Reconstruction.max().item<float>() < 1);
    }

    [Fact]
    public void ATrainingStepChangesEveryTensorAndAnEvaluationChangesNone()
    {
        Lab.Setup(seed: 4);
        var model = new MmdVae();
        var opt = Optimizers.Adam(model.parameters(), 1e-3);
        var x = torch.rand(8, 1, 28, 28);
        Tensor[] Snapshot() => model.parameters().Select(p => p.detach().clone()).ToArray();
        var before = Snapshot();
        using (torch.no_grad()) { model.eval(); model.forward(x); model.train(); }
        var afterEval = Snapshot();
        for (int i = 0; i < before.Length; i++) Assert.True(before[i].eq(afterEval[i]).all().item<bool>(), $"evaluation changed parameter {i}");

        var o = model.forward(x);
        var loss = nn.functional.mse_loss(o.Reconstruction, x) + Mmd.ToNormal(o.Z);
        opt.zero_grad(); loss.backward(); opt.step();
        var afterStep = Snapshot();
        for (int i = 0; i < before.Length; i++) Assert.False(before[i].eq(afterStep[i]).all().item<bool>(), $"training step left parameter {i} unchanged");
    }
}
