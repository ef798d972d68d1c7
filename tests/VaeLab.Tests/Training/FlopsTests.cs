using TorchSharp;
using VaeLab.Training;
using static TorchSharp.torch;

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
