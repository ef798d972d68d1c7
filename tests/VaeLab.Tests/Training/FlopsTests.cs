using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.Collapse;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Training;

namespace VaeLab.Tests.Training;

public class FlopsTests
{
    [Fact]
    public void LinearCountsTwoFlopsPerMultiplyAdd()
    {
        var m = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 5));
        var x = torch.randn(8, 10);
        // 2·8·10·20 + 2·8·20·5 = 3200 + 1600
        Assert.Equal(4800, Flops.Forward(m, () => m.forward(x)));
        Assert.Equal(3 * 4800, Flops.TrainingStep(m, () => m.forward(x)));
    }

    [Fact]
    public void ConvAndTransposedConvCountFromTheirShapes()
    {
        var conv = nn.Conv2d(1, 4, 3, stride: 2, padding: 1);           // 28×28 → 14×14
        var up = nn.ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, output_padding: 1); // 14×14 → 28×28
        var m = nn.Sequential(conv, up);
        var x = torch.randn(2, 1, 28, 28);
        double convFlops = 2.0 * (2 * 4 * 14 * 14) * (1 * 3 * 3);   // outputs × (Cin·k·k)
        double upFlops = 2.0 * (2 * 4 * 14 * 14) * (2 * 3 * 3);     // inputs × (Cout·k·k)
        Assert.Equal(convFlops + upFlops, Flops.Forward(m, () => m.forward(x)));
    }

    [Fact]
    public void HooksAreRemovedAfterCounting()
    {
        var m = nn.Linear(3, 3);
        var x = torch.randn(1, 3);
        var first = Flops.Forward(m, () => m.forward(x));
        Assert.Equal(first, Flops.Forward(m, () => m.forward(x)));
    }
}

public class ModelFlopsTests
{
    // Every linear layer of an MLP VAE sees each batch row once: FLOPs = 2 · batch · (all Linear weights).
    [Fact]
    public void MlpVaeCountsEveryLinearLayer()
    {
        VaeLab.Lab.Setup(seed: 0);
        var m = new MlpVae(new[] { 64 }, 10);
        long weights = m.modules().OfType<TorchSharp.Modules.Linear>().Sum(l => l.in_features * l.out_features);
        var x = torch.rand(8, 1, 28, 28);
        Assert.Equal(2.0 * 8 * weights, Flops.Forward(m, () => m.forward(x)));
    }

    // The seed-002 conv VAE at latent 2, batch 1, by hand (2 FLOPs per multiply-add). The encoder's convs are
    // "valid" as in the document's Keras code: conv 1→32 3×3 s2 → 13×13: 13·13·32·9; conv 32→64 → 6×6: 6·6·64·288; dense 2304→4;
    // dense 2→1568; convT 32→64 s2 → 14×14: 7·7·32 inputs · 64·9; convT 64→32 → 28×28: 14·14·64 · 32·9; convT 32→1 s1: 28·28·32 · 1·9.
    [Fact]
    public void ConvVaeMatchesAHandCount()
    {
        VaeLab.Lab.Setup(seed: 0);
        var m = new ConvVae(latent: 2);
        var x = torch.rand(1, 1, 28, 28);
        double macs = 13 * 13 * 32 * 9 + 6 * 6 * 64 * 288 + 2304 * 4 + 2 * 1568 + 7 * 7 * 32 * 64 * 9 + 14 * 14 * 64 * 32 * 9 + 28 * 28 * 32 * 9;
        Assert.Equal(2 * macs, Flops.Forward(m, () => m.forward(x)));
    }
}
