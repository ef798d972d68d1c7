using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Experiments.ElboVsMmd;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ImageContrastTests
{
    [Fact]
    public void EachImageIsStretchedToItsOwnRange()
    {
        // Image 0: 0.49, 0.50, 0.51, 0.50 → 0, ½, 1, ½. Image 1: constant → 0.
        var images = torch.tensor(new float[] { 0.49f, 0.50f, 0.51f, 0.50f, 0.3f, 0.3f, 0.3f, 0.3f }, new long[] { 2, 1, 2, 2 });
        var s = ImageContrast.StretchEach(images);
        Assert.Equal(images.shape, s.shape);
        var v = s.flatten().data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0.5f, 1f, 0.5f }, v.Take(4).Select(x => MathF.Round(x, 4)).ToArray());
        Assert.All(v.Skip(4), x => Assert.Equal(0f, x));
    }
}
