using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;
using VaeLab.Experiments.Gaussians;

namespace VaeLab.Tests.Experiments.Gaussians;

public class Autoencoder2DTests
{
    static Tensor FixedData()
    {
        Lab.Setup(seed: 31, threads: 1);
        // Two blobs, as in notebook 01, drawn here so the test does not depend on the data layer.
        var noise = torch.randn(256, 2);
        var centres = torch.tensor(new float[] { -2, -2, 2, 2 }, new long[] { 2, 2 }).index_select(0, torch.arange(256).remainder(2));
        return noise + centres;
    }

    [Fact]
    public void ParameterCountIsPinned()
    {
        // 2→10 (30) + 10→1 (11) + 1→10 (20) + 10→2 (22).
        var ae = new Autoencoder2D();
        Assert.Equal(83, ae.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void OutputsACodePerInputAndAReconstructionOfTheInputsShape()
    {
        var o = new Autoencoder2D().forward(torch.randn(5, 2));
        Assert.Equal(new long[] { 5, 1 }, o.Code.shape);
        Assert.Equal(new long[] { 5, 2 }, o.Reconstruction.shape);
    }

    [Fact]
    public void GradientsAreFiniteAndNonZeroForEveryParameter()
    {
        var x = FixedData();
        var ae = new Autoencoder2D();
        GaussiansLoss.Autoencoder(ae.forward(x).Reconstruction, x).backward();
        foreach (var (name, p) in ae.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void ThreeHundredStepsOnFixedDataLowerTheLoss()
    {
        var x = FixedData();
        var ae = new Autoencoder2D();
        var opt = Optimizers.Adam(ae.parameters(), 1e-2);
        float first = 0, last = 0;
        for (int i = 0; i < 300; i++)
        {
            using var _ = torch.NewDisposeScope();
            var loss = GaussiansLoss.Autoencoder(ae.forward(x).Reconstruction, x);
            if (i == 0) first = loss.item<float>();
            last = loss.item<float>();
            opt.zero_grad(); loss.backward(); opt.step();
        }
        // The data's total variance is about 2·(1 + 4) = 10; a 1-d code that separates the blobs must cut it well below half.
        Assert.True(last < 0.5 * first, $"loss {first} -> {last}");
    }

    [Fact]
    public void ATrainingStepChangesTheWeightsAndAnEvaluationDoesNot()
    {
        var x = FixedData();
        var ae = new Autoencoder2D();
        var before = ae.parameters().Select(p => p.detach().clone()).ToList();
        ae.eval();
        using (torch.no_grad()) GaussiansLoss.Autoencoder(ae.forward(x).Reconstruction, x);
        Assert.All(ae.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
        ae.train();
        var opt = Optimizers.Adam(ae.parameters(), 1e-3);
        GaussiansLoss.Autoencoder(ae.forward(x).Reconstruction, x).backward();
        opt.step();
        Assert.All(ae.parameters().Zip(before), pair => Assert.False(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }
}
