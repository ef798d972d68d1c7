using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using VaeLab.Nn.Batched;

namespace VaeLab.Tests.Nn;

/// <summary>Each batched layer computes, for member k, what a plain layer holding member k's parameters computes.</summary>
public class BatchedLayersTests
{
    static void Close(Tensor expected, Tensor actual) =>
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max |diff| {(actual - expected).abs().max().item<float>()}");

    [Fact]
    public void BatchedLinearIsEachMembersLinear()
    {
        Lab.Setup(seed: 1);
        var plain = Enumerable.Range(0, 3).Select(_ => nn.Linear(5, 4)).ToArray();
        var batched = new BatchedLinear(3, 5, 4);
        for (int k = 0; k < 3; k++) Members.Load(batched, k, plain[k]);
        var x = torch.randn(3, 7, 5);
        var y = batched.call(x);
        Assert.Equal(new long[] { 3, 7, 4 }, y.shape);
        for (int k = 0; k < 3; k++) Close(plain[k].call(x[k]), y[k]);
    }

    [Fact]
    public void GroupedConvolutionsAreEachMembersConvolution()
    {
        Lab.Setup(seed: 2);
        const int K = 3, inC = 2, outC = 4, N = 5;
        var conv = Enumerable.Range(0, K).Select(_ => nn.Conv2d(inC, outC, 4, stride: 2, padding: 1)).ToArray();
        var deconv = Enumerable.Range(0, K).Select(_ => nn.ConvTranspose2d(outC, inC, 4, stride: 2, padding: 1)).ToArray();
        var bConv = new BatchedConv2d(K, inC, outC, 4, stride: 2, padding: 1);
        var bDeconv = new BatchedConvTranspose2d(K, outC, inC, 4, stride: 2, padding: 1);
        for (int k = 0; k < K; k++) { Members.Load(bConv, k, conv[k]); Members.Load(bDeconv, k, deconv[k]); }
        var x = torch.randn(new long[] { K, N, inC, 8, 8 });
        // Members in the channel dimension, member-major: N×(K·C)×H×W.
        var h = bConv.call(x.transpose(0, 1).reshape(N, K * inC, 8, 8));
        var back = bDeconv.call(h);
        Assert.Equal(new long[] { N, K * outC, 4, 4 }, h.shape);
        for (int k = 0; k < K; k++)
        {
            Close(conv[k].call(x[k]), h.narrow(1, k * outC, outC));
            Close(deconv[k].call(conv[k].call(x[k])), back.narrow(1, k * inC, inC));
        }
    }

    [Fact]
    public void StoreGivesBackWhatLoadPutIn()
    {
        Lab.Setup(seed: 3);
        var a = nn.Linear(3, 2);
        var b = nn.Linear(3, 2);
        var batched = new BatchedLinear(2, 3, 2);
        Members.Load(batched, 1, a);
        Members.Store(batched, 1, b);
        Assert.Equal(a.weight!.data<float>().ToArray(), b.weight!.data<float>().ToArray());
        Assert.Equal(a.bias!.data<float>().ToArray(), b.bias!.data<float>().ToArray());
        Assert.Equal(2, Members.Count(batched, a));
    }

    [Fact]
    public void MismatchedStructuresAndMembersAreRefusedByName()
    {
        var batched = new BatchedLinear(2, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => Members.Load(batched, 0, nn.Conv2d(1, 2, 3)));
        Assert.Contains("K times", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Members.Load(batched, 2, nn.Linear(3, 2)));
        var renamed = nn.Sequential(("layer", nn.Linear(3, 2)));
        Assert.Contains("no parameter 'layer.weight'", Assert.Throws<ArgumentException>(() => Members.Load(batched, 0, renamed)).Message);
    }
}
