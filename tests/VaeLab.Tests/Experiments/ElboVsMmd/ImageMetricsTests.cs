using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ImageMetricsTests
{
    static Tensor StepEdge(int size = 28, int at = 14)
    {
        var img = torch.zeros(1, 1, size, size);
        img[.., .., .., TensorIndex.Slice(at, size)] = torch.tensor(1f);
        return img;
    }

    // 5×5 box blur with replicated borders (same size out).
    static Tensor Blur(Tensor img) =>
        nn.functional.conv2d(nn.functional.pad(img, new long[] { 2, 2, 2, 2 }, PaddingModes.Replicate), torch.full(1, 1, 5, 5, 1f / 25));

    [Fact]
    public void AStepEdgeScoresOneOverWidthMinusOne()
    {
        // Gradient 1 in one column of the 27×27 difference grid: 27 / (27·27), for both measures.
        Assert.Equal(1.0 / 27, ImageMetrics.GradientEnergy(StepEdge()), 10);
        Assert.Equal(1.0 / 27, ImageMetrics.MeanGradientMagnitude(StepEdge()), 10);
        Assert.Equal(0.0, ImageMetrics.GradientEnergy(torch.full(2, 1, 28, 28, 0.4f)), 12);
    }

    [Fact]
    public void ASharpEdgeScoresHigherThanItsBlur()
    {
        var sharp = StepEdge();
        var blurred = Blur(sharp);
        Assert.Equal(sharp.shape, blurred.shape);
        // The unit rise is split into five steps of 1/5: energy 5·(1/5)² per row, a fifth of the step's.
        Assert.Equal(ImageMetrics.GradientEnergy(sharp) / 5, ImageMetrics.GradientEnergy(blurred), 6);
        var diagonal = torch.triu(torch.ones(28, 28)).reshape(1, 1, 28, 28);
        Assert.True(ImageMetrics.GradientEnergy(diagonal) > ImageMetrics.GradientEnergy(Blur(diagonal)));
    }

    [Fact]
    public void MeanGradientMagnitudeIgnoresTheWidthOfAMonotoneEdgeButNotLostDetail()
    {
        // Why the claim uses gradient energy: the total rise of a monotone edge survives blurring ...
        Assert.Equal(ImageMetrics.MeanGradientMagnitude(StepEdge()), ImageMetrics.MeanGradientMagnitude(Blur(StepEdge())), 6);
        // ... while a thin line (up and down again) loses most of it.
        var line = torch.zeros(1, 1, 28, 28);
        line[.., .., .., 14] = torch.tensor(1f);
        Assert.True(ImageMetrics.MeanGradientMagnitude(line) > 4 * ImageMetrics.MeanGradientMagnitude(Blur(line)));
    }

    [Fact]
    public void AcceptsFlatImagesAndRejectsOtherShapes()
    {
        Assert.Equal(1.0 / 27, ImageMetrics.GradientEnergy(StepEdge().reshape(1, 784)), 10);
        var e = Assert.Throws<ArgumentException>(() => ImageMetrics.GradientEnergy(torch.zeros(3, 5)));
        Assert.Contains("N×1×H×W", e.Message);
    }
}
