using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Tests.Core;

public class TorchSharpLoadTests
{
    [Fact]
    public void NativeLibraryLoadsAndComputes()
    {
        Lab.Setup(seed: 1);
        var a = torch.ones(3, 3);
        Assert.Equal(9f, a.sum().item<float>());
    }

    [Fact]
    public void TinyModelTrainsAndItsLossGoesDown()
    {
        Lab.Setup(seed: 2);
        var x = torch.randn(256, 4);
        var w = torch.tensor(new float[] { 1f, -2f, 0.5f, 3f }).reshape(4, 1);
        var y = x.matmul(w) + 0.1f;
        var model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1));
        var opt = optim.Adam(model.parameters(), lr: 1e-2);
        double first = 0, last = 0;
        for (int i = 0; i < 200; i++)
        {
            using var _ = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            opt.step();
            if (i == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 0.05, $"loss went from {first} to {last}");
    }

    [Fact]
    public void SetupReseedsTheGlobalGenerator()
    {
        Lab.Setup(seed: 7);
        var a = torch.randn(5);
        Lab.Setup(seed: 7);
        var b = torch.randn(5);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    [Fact]
    public void SetupReportsThreadsAndMallocTuning()
    {
        var info = Lab.Setup(seed: 0, threads: 1);
        Assert.Equal(1, info.Threads);
        Assert.Equal(1, torch.get_num_threads());
        if (OperatingSystem.IsLinux()) Assert.StartsWith("tuned", info.MallocTuning);
        Lab.Setup(seed: 0);
    }

    [Fact]
    public void UnknownDeviceNameIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => Devices.Parse("tpu"));
        Assert.Contains("tpu", e.Message);
    }
}
