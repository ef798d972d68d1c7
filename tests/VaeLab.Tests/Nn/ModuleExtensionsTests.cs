using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Nn;

namespace VaeLab.Tests.Nn;

public class ModuleExtensionsTests
{
    [Fact]
    public void ParameterCountIsWeightsPlusBiases()
    {
        // 3×4 weights + 4 biases, then 4×2 + 2.
        var m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, m.ParameterCount());
    }
}
