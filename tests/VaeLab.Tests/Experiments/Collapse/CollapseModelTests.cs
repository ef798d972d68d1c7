using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Collapse;

namespace VaeLab.Tests.Experiments.Collapse;

public class CollapseModelTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ConvVaeShapesAndPinnedParameterCount()
    {
        Lab.Setup(seed: 1);
        var m = new CollapseConvVae(latentDim: 10, channels: 32);
        // conv1 544 + conv2 32,832 + two heads 2·31,370 + fromZ 34,496 + deconv1 32,800 + deconv2 513.
        Assert.Equal(163_925, Count(m));
        Assert.Equal(163_925, CollapseConvVae.ParameterCount(10, 32));
        Assert.Equal(CollapseConvVae.ParameterCount(3, 4), Count(new CollapseConvVae(3, 4)));
        // The notebooks' size (C = 16): 272 + 8,224 + 2·15,690 + 17,248 + 8,208 + 257.
        Assert.Equal(65_589, Count(new CollapseConvVae(10, 16)));
        var o = m.forward(torch.rand(5, 1, 28, 28));
        Assert.Equal(new long[] { 5, 1, 28, 28 }, o.Logits.shape);
        Assert.Equal(new long[] { 5, 10 }, o.Mean.shape);
        Assert.Equal(new long[] { 5, 10 }, o.LogVar.shape);
        Assert.Equal(new long[] { 5, 10 }, o.Z.shape);
        Assert.Contains("N×1×28×28", Assert.Throws<ArgumentException>(() => m.forward(torch.rand(5, 784))).Message);
    }

    [Fact]
    public void MlpVaeShapesAndPinnedParameterCount()
    {
        Lab.Setup(seed: 1);
        var m = new MlpVae(new[] { 128 }, latentDim: 10);
        // 784·128+128 = 100,480; heads 2·(128·10+10) = 2,580; 10·128+128 = 1,408; 128·784+784 = 101,136.
        Assert.Equal(205_604, Count(m));
        Assert.Equal(205_604, MlpVae.ParameterCount(new[] { 128 }, 10));
        // The notebooks' size (one hidden layer of 64): 50,240 + 1,300 + 704 + 50,960.
        Assert.Equal(103_204, Count(new MlpVae(new[] { 64 }, 10)));
        var deep = new MlpVae(new[] { 512, 256 }, 16, new[] { 64, 128, 256 });
        Assert.Equal(MlpVae.ParameterCount(new[] { 512, 256 }, 16, new[] { 64, 128, 256 }), Count(deep));
        var img = m.forward(torch.rand(3, 1, 28, 28));
        Assert.Equal(new long[] { 3, 1, 28, 28 }, img.Logits.shape);
        Assert.Equal(new long[] { 3, 10 }, img.Z.shape);
        var flat = m.forward(torch.rand(3, 784));
        Assert.Equal(new long[] { 3, 784 }, flat.Logits.shape);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, m.Decode(torch.randn(3, 10)).shape);
        Assert.Throws<ArgumentException>(() => new MlpVae(Array.Empty<int>(), 2));
    }
}
