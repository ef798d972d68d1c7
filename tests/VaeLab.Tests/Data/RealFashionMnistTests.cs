using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Reporting;

namespace VaeLab.Tests.Data;

/// <summary>
/// Smoke tests on the real Fashion-MNIST from the Debian package. They return early, passing, when
/// /usr/share/datasets/fashion-mnist is absent (install dataset-fashion-mnist to run them); nothing else in the
/// suite depends on it. VAELAB_OFFLINE=1 and an unset VAELAB_DATA_DIR keep them off the network and off any
/// user copy.
/// </summary>
public class RealFashionMnistTests
{
    const string Installed = "/usr/share/datasets/fashion-mnist";

    static bool Absent()
    {
        if (Directory.Exists(Installed)) return false;
        Console.WriteLine($"skipped: {Installed} is absent (sudo apt-get install dataset-fashion-mnist)");
        return true;
    }

    [Fact]
    public void TheDebianCopyLoadsWithTheExpectedCountsAndLabels()
    {
        if (Absent()) return;
        using var env = new EnvScope().Set("VAELAB_OFFLINE", "1").Set("VAELAB_DATA_DIR", null);
        using var repo = new TempDir(); // an empty repository, so a data/fashion-mnist copy cannot take precedence
        RunLog.Begin();
        var sources = DatasetSources.FromEnvironment() with { RepositoryRoot = repo.Path };
        var splits = Datasets.Load(DatasetSpec.FashionMnist, sources);

        Assert.Equal(60000, splits.Train.Count);
        Assert.Equal(10000, splits.Test.Count);
        Assert.Contains("Debian package dataset-fashion-mnist", splits.Source);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, splits.Train.Images.shape);
        Assert.Equal(ScalarType.Float32, splits.Train.Images.dtype);
        Assert.True(splits.Train.Images.min().item<float>() >= 0f);
        Assert.Equal(1f, splits.Train.Images.max().item<float>());
        Assert.Equal(0L, splits.Train.Labels.min().item<long>());
        Assert.Equal(9L, splits.Train.Labels.max().item<long>());
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        Assert.All(splits.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(splits.Test.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.Equal("Ankle boot", splits.Train.ClassNames[9]);

        var perClass = splits.Train.TakePerClass(5);
        Assert.Equal(50, perClass.Count);
    }

    [Fact]
    public void OfflineMnistFallsBackToTheDebianFashionMnistVisibly()
    {
        if (Absent()) return;
        using var repo = new TempDir();
        File.WriteAllText(Path.Combine(repo.Path, "VaeLab.sln"), "");
        var cwd = Directory.GetCurrentDirectory();
        using var env = new EnvScope().Set("VAELAB_OFFLINE", "1").Set("VAELAB_DATA_DIR", null);
        RunLog.Begin();
        try
        {
            // The contract entry point, with the repository root found from the current directory.
            Directory.SetCurrentDirectory(repo.Path);
            var splits = Datasets.LoadOrFallback("mnist");
            Assert.Equal("mnist", splits.Requested);
            Assert.Equal("fashion-mnist", splits.Used);
            Assert.Equal(60000, splits.Train.Count);
            Assert.Contains(RunLog.Current.Warnings, w => w.Contains("Using 'fashion-mnist' instead"));
            Assert.Equal(new DatasetUse("mnist", "fashion-mnist", splits.Source), Assert.Single(RunLog.Current.Datasets));
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
        }
    }
}
