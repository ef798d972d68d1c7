using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;

namespace VaeLab.Tests.Data;

public class ImageDatasetTests
{
    static readonly string[] Classes = { "a", "b", "c" };

    /// <summary>Image i is filled with the value i; labels as given.</summary>
    static ImageDataset Make(params long[] labels)
    {
        int n = labels.Length;
        var images = torch.arange(n, dtype: ScalarType.Float32).reshape(n, 1, 1, 1).expand(n, 1, 28, 28).contiguous();
        return new ImageDataset("toy", images, torch.tensor(labels), Classes);
    }

    static long[] Ids(ImageDataset d) => d.Images[.., 0, 0, 0].to_type(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void TakeReturnsTheFirstN()
    {
        var d = Make(0, 1, 2, 0, 1, 2);
        var first = d.Take(4);
        Assert.Equal(4, first.Count);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Ids(first));
        Assert.Equal(new long[] { 0, 1, 2, 0 }, first.Labels.data<long>().ToArray());
        Assert.Equal("toy", first.Name);
        Assert.Same(Classes, first.ClassNames);
        Assert.Equal(0, d.Take(0).Count);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => d.Take(7));
        Assert.Contains("cannot take 7 images from a set of 6", e.Message);
    }

    [Fact]
    public void TakePerClassKeepsTheFirstNOfEachClassInOriginalOrder()
    {
        var d = Make(2, 0, 0, 1, 2, 0, 1, 1, 2, 0);
        var sub = d.TakePerClass(2);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 6 }, Ids(sub));
        Assert.Equal(new long[] { 2, 0, 0, 1, 2, 1 }, sub.Labels.data<long>().ToArray());
        Assert.Equal(new[] { 2, 2, 2 }, sub.ClassCounts());
        Assert.Equal(new[] { 4, 3, 3 }, d.ClassCounts());
    }

    [Fact]
    public void TakePerClassBeyondAClassSizeNamesTheClass()
    {
        var d = Make(0, 0, 0, 1, 2, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => d.TakePerClass(2));
        Assert.Contains("class 1 (b) has 1", e.Message);
    }

    [Fact]
    public void FlatIsAnNBy784ViewOfTheImages()
    {
        var d = Make(0, 1, 2);
        var flat = d.Flat;
        Assert.Equal(new long[] { 3, 784 }, flat.shape);
        flat[1, 5] = torch.tensor(42f);
        Assert.Equal(42f, d.Images[1, 0, 0, 5].item<float>());
    }

    [Fact]
    public void BadShapesAndTypesAreClearErrors()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new ImageDataset("x", torch.zeros(4, 28, 28), torch.zeros(4, dtype: ScalarType.Int64), Classes));
        Assert.Contains("x: images must be N×C×H×W", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new ImageDataset("x", torch.zeros(4, 1, 2, 2, dtype: ScalarType.Byte), torch.zeros(4, dtype: ScalarType.Int64), Classes));
        Assert.Contains("float32", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new ImageDataset("x", torch.zeros(4, 1, 2, 2), torch.zeros(3, dtype: ScalarType.Int64), Classes));
        Assert.Contains("3 labels for 4 images", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => new ImageDataset("x", torch.zeros(4, 1, 2, 2), torch.zeros(4, dtype: ScalarType.Int32), Classes));
        Assert.Contains("int64", e4.Message);
    }

    [Fact]
    public void FirstOrAllTakesTheFirstNAndZeroOrTooManyMeansAll()
    {
        var set = new ImageDataset("d", torch.rand(5, 1, 28, 28), torch.arange(5, dtype: ScalarType.Int64), new[] { "a", "b", "c", "d", "e" });
        Assert.Equal(new long[] { 0, 1 }, set.FirstOrAll(2).Labels.data<long>().ToArray());
        Assert.Same(set, set.FirstOrAll(0));
        Assert.Same(set, set.FirstOrAll(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.FirstOrAll(-1));
    }
}
