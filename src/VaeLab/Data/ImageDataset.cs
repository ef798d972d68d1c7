using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Data;

/// <summary>
/// A labelled image set: <see cref="Images"/> float32 N×C×H×W in [0, 1] (N×1×28×28 for MNIST and Fashion-MNIST),
/// <see cref="Labels"/> int64 N, and the class names indexed by label.
/// </summary>
public sealed record ImageDataset(string Name, Tensor Images, Tensor Labels, string[] ClassNames)
{
    public Tensor Images { get; init; } = CheckImages(Name, Images);
    public Tensor Labels { get; init; } = CheckLabels(Name, Labels, Images);

    /// <summary>Number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>The images as N×(C·H·W) (a view when the images are contiguous, which loaded ones are).</summary>
    public Tensor Flat => Images.reshape(Images.shape[0], -1);

    /// <summary>The first <paramref name="n"/> images (views of these tensors, not copies).</summary>
    public ImageDataset Take(int n)
    {
        if (n < 0 || n > Count)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"{Name}: cannot take {n} images from a set of {Count}; ask for 0 to {Count}.");
        return this with { Images = Images.narrow(0, 0, n), Labels = Labels.narrow(0, 0, n) };
    }

    /// <summary>The first <paramref name="n"/> images, or all of them when <paramref name="n"/> is 0 or more than the
    /// set holds: what a config's TrainExamples or TestExamples selects ("0 = all").</summary>
    public ImageDataset FirstOrAll(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"{Name}: ask for n ≥ 0 images (0 = all).");
        return n == 0 || n >= Count ? this : Take(n);
    }

    /// <summary>
    /// The first <paramref name="nPerClass"/> images of every class, in their original order (so classes stay
    /// interleaved as they were). Every class in <see cref="ClassNames"/> must have that many images.
    /// </summary>
    public ImageDataset TakePerClass(int nPerClass)
    {
        if (nPerClass < 0)
            throw new ArgumentOutOfRangeException(nameof(nPerClass), nPerClass, $"{Name}: images per class must be ≥ 0.");
        var labels = Labels.cpu().data<long>().ToArray();
        int classes = ClassNames.Length;
        var taken = new int[classes];
        var keep = new List<long>(nPerClass * classes);
        for (int i = 0; i < labels.Length; i++)
        {
            long c = labels[i];
            if (c < 0 || c >= classes)
                throw new InvalidOperationException($"{Name}: label {c} at index {i} is outside the {classes} class names.");
            if (taken[c] < nPerClass) { taken[c]++; keep.Add(i); }
        }
        var shortClasses = Enumerable.Range(0, classes).Where(c => taken[c] < nPerClass).ToArray();
        if (shortClasses.Length > 0)
            throw new ArgumentOutOfRangeException(nameof(nPerClass), nPerClass,
                $"{Name}: asked for {nPerClass} images per class but " +
                string.Join(", ", shortClasses.Select(c => $"class {c} ({ClassNames[c]}) has {taken[c]}")) +
                ". Ask for fewer per class, or use Take.");
        using var index = torch.tensor(keep.ToArray(), device: Images.device);
        return this with { Images = Images.index_select(0, index), Labels = Labels.index_select(0, index) };
    }

    /// <summary>How many images each class has, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Length];
        foreach (long c in Labels.cpu().data<long>())
            if (c >= 0 && c < counts.Length) counts[c]++;
        return counts;
    }

    public override string ToString() =>
        $"{Name}: {Count} images {string.Join("×", Images.shape.Skip(1))}, {ClassNames.Length} classes";

    static Tensor CheckImages(string name, Tensor images)
    {
        if (images is null) throw new ArgumentNullException(nameof(Images), $"{name}: images are null.");
        if (images.dim() != 4)
            throw new ArgumentException($"{name}: images must be N×C×H×W (4 dimensions); got shape [{string.Join(", ", images.shape)}]. Use unsqueeze(1) " +
                $"for N×H×W.", nameof(Images));
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"{name}: images must be float32 in [0, 1]; got {images.dtype}. Convert with .to_type(ScalarType.Float32) / 255.",
                nameof(Images));
        return images;
    }

    static Tensor CheckLabels(string name, Tensor labels, Tensor images)
    {
        if (labels is null) throw new ArgumentNullException(nameof(Labels), $"{name}: labels are null.");
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name}: labels must be int64 with one dimension; got {labels.dtype} shape " +
                $"[{string.Join(", ", labels.shape)}].", nameof(Labels));
        if (labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{name}: {labels.shape[0]} labels for {images.shape[0]} images.", nameof(Labels));
        return labels;
    }
}

/// <summary>
/// A dataset's train and test splits, with the dataset that was asked for, the one actually used (they differ
/// after a fallback) and where its files came from.
/// </summary>
public sealed record DatasetSplits(ImageDataset Train, ImageDataset Test, string Requested, string Used, string Source)
{
    /// <summary>True when a different dataset than the requested one was loaded.</summary>
    public bool FellBack => !string.Equals(Requested, Used, StringComparison.Ordinal);

    public override string ToString() =>
        $"{Used} (train {Train.Count}, test {Test.Count}) from {Source}" + (FellBack ? $" — requested {Requested}" : "");
}
