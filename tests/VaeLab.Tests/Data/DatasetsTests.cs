using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Reporting;

namespace VaeLab.Tests.Data;

/// <summary>The acquisition chain, on temporary folders and a fake downloader: no test touches the network or
/// depends on what is installed on the machine.</summary>
public class DatasetsTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly FakeDownloader _downloader = new();
    readonly DatasetSpec _fashion = SyntheticData.Spec(DatasetSpec.FashionMnist);
    readonly DatasetSpec _mnist = SyntheticData.Spec(DatasetSpec.Mnist);

    public DatasetsTests()
    {
        RunLog.Begin();
        Datasets.ClearCache();
    }

    public void Dispose()
    {
        _dir.Dispose();
        Datasets.ClearCache();
    }

    string EnvDir => _dir.Sub("env");
    string Repo => _dir.Sub("repo");
    string SystemRoot => _dir.Sub("usr-share-datasets");

    DatasetSources Sources(bool offline = false, bool withEnv = true, bool withRepo = true) =>
        new(DataDir: withEnv ? EnvDir : null, RepositoryRoot: withRepo ? Repo : null, SystemRoot: SystemRoot,
            Offline: offline, Downloader: _downloader);

    void ServeDownloads(byte marker = 4, string mirror = SyntheticData.MirrorA)
    {
        foreach (var (name, bytes) in SyntheticData.GzipFiles(marker))
            _downloader.Responses[mirror + name] = bytes;
    }

    [Fact]
    public void ChainTriesEnvDirThenRepositoryThenSystemThenDownload()
    {
        SyntheticData.WriteFiles(Path.Combine(EnvDir, "fashion-mnist"), marker: 1);
        SyntheticData.WriteFiles(Path.Combine(Repo, "data", "fashion-mnist"), marker: 2);
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 3);
        ServeDownloads(marker: 4);

        var first = Datasets.Acquire(_fashion, Sources(), out _);
        Assert.Equal(1, SyntheticData.MarkerOf(first));
        Assert.StartsWith("VAELAB_DATA_DIR", first.Source);

        Directory.Delete(Path.Combine(EnvDir, "fashion-mnist"), recursive: true);
        var second = Datasets.Acquire(_fashion, Sources(), out var tried2);
        Assert.Equal(2, SyntheticData.MarkerOf(second));
        Assert.StartsWith("repository", second.Source);
        Assert.Equal("VAELAB_DATA_DIR", tried2[0].Step);

        Directory.Delete(Path.Combine(Repo, "data", "fashion-mnist"), recursive: true);
        var third = Datasets.Acquire(_fashion, Sources(), out _);
        Assert.Equal(3, SyntheticData.MarkerOf(third));
        Assert.Contains("Debian package dataset-fashion-mnist", third.Source);
        Assert.Empty(_downloader.Requests);

        Directory.Delete(Path.Combine(SystemRoot, "fashion-mnist"), recursive: true);
        var fourth = Datasets.Acquire(_fashion, Sources(), out var tried4);
        Assert.Equal(4, SyntheticData.MarkerOf(fourth));
        Assert.Contains("downloaded from https://mirror-a.invalid", fourth.Source);
        Assert.Equal(4, _downloader.Requests.Count);
        Assert.Equal(new[] { "VAELAB_DATA_DIR", "VAELAB_DATA_DIR", "repository data folder", "system datasets folder" },
            tried4.Select(a => a.Step).ToArray());
        // Downloads land in data/<name>/ of the repository, under the published names.
        Assert.Equal(_fashion.Files.Select(f => f.FileName).Order(),
            Directory.GetFiles(Path.Combine(Repo, "data", "fashion-mnist")).Select(Path.GetFileName).Order());

        // Now the repository copy is found first and nothing is downloaded again.
        var fifth = Datasets.Acquire(_fashion, Sources(), out _);
        Assert.StartsWith("repository", fifth.Source);
        Assert.Equal(4, _downloader.Requests.Count);
    }

    [Fact]
    public void EnvironmentVariablesAreReadAtCallTime()
    {
        using (new EnvScope().Set("VAELAB_DATA_DIR", EnvDir).Set("VAELAB_OFFLINE", "1"))
        {
            var s = DatasetSources.FromEnvironment();
            Assert.Equal(EnvDir, s.DataDir);
            Assert.True(s.Offline);
            Assert.Equal("/usr/share/datasets", s.SystemRoot);
        }
        using (new EnvScope().Set("VAELAB_DATA_DIR", null).Set("VAELAB_OFFLINE", "0"))
        {
            var s = DatasetSources.FromEnvironment();
            Assert.Null(s.DataDir);
            Assert.False(s.Offline);
        }
    }

    [Fact]
    public void RepositoryRootIsTheFolderHoldingTheSolution()
    {
        var root = DatasetSources.FindRepositoryRoot();
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root!, "VaeLab.sln")));
    }

    [Fact]
    public void FilesDirectlyInTheEnvDirNeedTheDatasetsNameOrItsHashes()
    {
        // A folder with a neutral name: the files could be either dataset, so they are not used.
        var neutral = _dir.Sub("my-idx-files");
        SyntheticData.WriteFiles(neutral, marker: 7);
        var sources = Sources(offline: true, withRepo: false) with { DataDir = neutral };
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_mnist, sources, out _));
        Assert.Contains("move them into " + Path.Combine(neutral, "mnist"), e.Message);

        // Named after the dataset: used.
        var named = _dir.Sub("MNIST");
        SyntheticData.WriteFiles(named, marker: 8);
        Assert.Equal(8, SyntheticData.MarkerOf(Datasets.Acquire(_mnist, sources with { DataDir = named }, out _)));

        // Neutral name but the published hashes (the spec's download marker is 4): used.
        var published = _dir.Sub("downloads");
        SyntheticData.WriteFiles(published, marker: 4);
        Assert.Equal(4, SyntheticData.MarkerOf(Datasets.Acquire(_mnist, sources with { DataDir = published }, out _)));
    }

    [Fact]
    public void RawAndDottedFileNamesAreFound()
    {
        var folder = Path.Combine(SystemRoot, "fashion-mnist");
        SyntheticData.WriteFiles(folder, marker: 5, gzip: false);
        File.Move(Path.Combine(folder, "t10k-images-idx3-ubyte"), Path.Combine(folder, "t10k-images.idx3-ubyte"));
        var splits = Datasets.Acquire(_fashion, Sources(offline: true), out _);
        Assert.Equal(5, SyntheticData.MarkerOf(splits));
        Assert.Equal(SyntheticData.TestCount, splits.Test.Count);
    }

    [Fact]
    public void OfflineWithNothingInstalledListsEveryPlaceAndTheFixes()
    {
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_fashion, Sources(offline: true), out _));
        Assert.Equal(5, e.Attempts.Count);
        Assert.Contains(Path.Combine(EnvDir, "fashion-mnist"), e.Message);
        Assert.Contains(Path.Combine(Repo, "data", "fashion-mnist"), e.Message);
        Assert.Contains(Path.Combine(SystemRoot, "fashion-mnist"), e.Message);
        Assert.Contains("skipped: VAELAB_OFFLINE=1", e.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("set VAELAB_DATA_DIR", e.Message);
        Assert.Contains("go online", e.Message);
        Assert.Empty(_downloader.Requests);

        var m = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_mnist, Sources(offline: true, withEnv: false), out _));
        Assert.Contains("VAELAB_DATA_DIR ($VAELAB_DATA_DIR): not set", m.Message);
        Assert.Contains("mnist has no Debian package", m.Message);
        Assert.DoesNotContain("apt-get", m.Message);
    }

    [Fact]
    public void FailedDownloadsFromEveryMirrorAreListed()
    {
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_mnist, Sources(), out _));
        var download = e.Attempts.Last();
        Assert.Equal("download", download.Step);
        Assert.Contains("mirror-a.invalid", download.Outcome);
        Assert.Contains("mirror-b.invalid", download.Outcome);
        Assert.Contains("fake: no route", download.Outcome);
        Assert.Equal(2, _downloader.Requests.Count); // both mirrors for the first file, then it gives up
        Assert.False(Directory.Exists(Path.Combine(Repo, "data", "mnist")));
    }

    [Fact]
    public void ADownloadWithTheWrongHashIsRejectedAndNothingIsLeftUnderTheFinalName()
    {
        ServeDownloads(marker: 9); // valid IDX files, but not the bytes whose hashes the spec pins
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_fashion, Sources(), out _));
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Contains("nothing was saved", e.Message);
        var target = Path.Combine(Repo, "data", "fashion-mnist");
        Assert.False(Directory.Exists(target)); // neither the final name nor a temporary one, nor an empty folder
    }

    [Fact]
    public void ABadMirrorFallsBackToTheNextOne()
    {
        ServeDownloads(marker: 9, mirror: SyntheticData.MirrorA);
        ServeDownloads(marker: 4, mirror: SyntheticData.MirrorB);
        var splits = Datasets.Acquire(_fashion, Sources(), out _);
        Assert.Equal(4, SyntheticData.MarkerOf(splits));
        Assert.Contains("mirror-b.invalid", splits.Source);
    }

    [Fact]
    public void DownloadsAreWrittenUnderATemporaryNameThenRenamed()
    {
        ServeDownloads();
        var target = Path.Combine(Repo, "data", "fashion-mnist");
        var seen = new List<string>();
        _downloader.DuringDownload = url =>
        {
            var final = Path.Combine(target, url.Segments[^1]);
            Assert.False(File.Exists(final), $"{final} exists before its download finished");
            seen.AddRange(Directory.GetFiles(target).Select(Path.GetFileName).Where(n => n!.EndsWith(".partial"))!);
        };
        Datasets.Acquire(_fashion, Sources(), out _);
        Assert.Equal(4, seen.Count(n => n.Contains("-ubyte.gz.")));
        Assert.DoesNotContain(Directory.GetFiles(target), f => f.EndsWith(".partial"));
    }

    [Fact]
    public void AnIncompleteFolderIsSkippedWithTheMissingFilesNamed()
    {
        var repoCopy = Path.Combine(Repo, "data", "fashion-mnist");
        SyntheticData.WriteFiles(repoCopy, marker: 2);
        File.Delete(Path.Combine(repoCopy, "t10k-labels-idx1-ubyte.gz"));
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 3);
        var splits = Datasets.Acquire(_fashion, Sources(offline: true), out var tried);
        Assert.Equal(3, SyntheticData.MarkerOf(splits));
        Assert.Contains(tried, a => a.Outcome == "incomplete: missing t10k-labels-idx1-ubyte.gz");
    }

    [Fact]
    public void ADamagedCopyIsSkippedVisiblyAndTheNextSourceUsed()
    {
        var envCopy = Path.Combine(EnvDir, "fashion-mnist");
        SyntheticData.WriteFiles(envCopy, marker: 1);
        var bad = Path.Combine(envCopy, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad).Take(100).ToArray());
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 3);

        var splits = Datasets.Acquire(_fashion, Sources(offline: true), out var tried);
        Assert.Equal(3, SyntheticData.MarkerOf(splits));
        Assert.Contains(tried, a => a.Outcome.StartsWith("damaged: " + bad));
        Assert.Contains(RunLog.Current.Warnings, w => w.Contains(bad));
    }

    [Fact]
    public void APartialDatasetIsRejectedNotReturned()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 3);
        var spec = _fashion with { TrainCount = 60000 };
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(spec, Sources(offline: true), out _));
        Assert.Contains($"holds {SyntheticData.TrainCount} training images, but fashion-mnist has 60000 (a partial or different dataset)", e.Message);
    }

    [Fact]
    public void LabelsOutsideTheClassesAreRejected()
    {
        var folder = Path.Combine(SystemRoot, "fashion-mnist");
        SyntheticData.WriteFiles(folder, marker: 3);
        var labels = Enumerable.Repeat((byte)1, SyntheticData.TestCount).ToArray();
        labels[5] = 10;
        IdxWriter.WriteLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), labels, gzip: true);
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(_fashion, Sources(offline: true), out _));
        Assert.Contains("label 10 at index 5 is outside the 10 classes", e.Message);
    }

    [Fact]
    public void ImagesAreScaledToTheUnitIntervalAndLabelsAreInt64()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 255);
        var splits = Datasets.Acquire(_fashion, Sources(offline: true), out _);
        var train = splits.Train;
        Assert.Equal(ScalarType.Float32, train.Images.dtype);
        Assert.Equal(new long[] { SyntheticData.TrainCount, 1, 28, 28 }, train.Images.shape);
        Assert.Equal(ScalarType.Int64, train.Labels.dtype);
        Assert.Equal(new long[] { SyntheticData.TrainCount }, train.Labels.shape);

        var (pixels, labels) = SyntheticData.Make(SyntheticData.TrainCount, 255);
        var expected = pixels.Select(b => b / 255f).ToArray();
        Assert.Equal(expected, train.Images.data<float>().ToArray()); // exact: both are the correctly rounded quotient
        Assert.Equal(0f, train.Images.min().item<float>());
        Assert.Equal(1f, train.Images.max().item<float>());
        Assert.Equal(labels.Select(b => (long)b).ToArray(), train.Labels.data<long>().ToArray());
        Assert.Equal(DatasetSpec.FashionMnist.ClassNames, train.ClassNames);
        Assert.Equal("fashion-mnist train", train.Name);
        Assert.Equal("fashion-mnist test", splits.Test.Name);
    }

    [Fact]
    public void TheCacheIsNotCorruptedByCallersInPlaceOperations()
    {
        var folder = Path.Combine(SystemRoot, "fashion-mnist");
        SyntheticData.WriteFiles(folder, marker: 3);
        var first = Datasets.Acquire(_fashion, Sources(offline: true), out _);
        Assert.Equal(1, Datasets.CachedCount);
        var original = first.Train.Images.clone();
        first.Train.Images.add_(1f);
        first.Train.Labels.zero_();

        var second = Datasets.Acquire(_fashion, Sources(offline: true), out _);
        Assert.Equal(1, Datasets.CachedCount);
        Assert.Equal(original.data<float>().ToArray(), second.Train.Images.data<float>().ToArray());
        Assert.Equal(1L, second.Train.Labels[1].item<long>());

        // A changed file is a new key: its new content is loaded.
        SyntheticData.WriteFiles(folder, marker: 6);
        Assert.Equal(6, SyntheticData.MarkerOf(Datasets.Acquire(_fashion, Sources(offline: true), out _)));
    }

    [Fact]
    public void LoadRecordsTheDatasetInTheRunLog()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 3);
        var splits = Datasets.Load(_fashion, Sources(offline: true));
        Assert.False(splits.FellBack);
        var use = Assert.Single(RunLog.Current.Datasets);
        Assert.Equal(new DatasetUse("fashion-mnist", "fashion-mnist", splits.Source), use);
        Assert.Empty(RunLog.Current.Warnings);
    }

    [Fact]
    public void LoadOrFallbackUsesTheRequestedDatasetWhenItCanBeHad()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "mnist"), marker: 3);
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 5);
        var splits = Datasets.LoadOrFallback(_mnist, _fashion, Sources(offline: true));
        Assert.Equal(("mnist", "mnist"), (splits.Requested, splits.Used));
        Assert.Equal(3, SyntheticData.MarkerOf(splits));
        Assert.Equal(new DatasetUse("mnist", "mnist", splits.Source), Assert.Single(RunLog.Current.Datasets));
        Assert.Empty(RunLog.Current.Warnings);
    }

    [Fact]
    public void LoadOrFallbackFallsBackVisiblyAndRecordsBoth()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 5);
        var splits = Datasets.LoadOrFallback(_mnist, _fashion, Sources(offline: true));
        Assert.Equal("mnist", splits.Requested);
        Assert.Equal("fashion-mnist", splits.Used);
        Assert.True(splits.FellBack);
        Assert.Equal(5, SyntheticData.MarkerOf(splits));
        Assert.Equal(DatasetSpec.FashionMnist.ClassNames, splits.Train.ClassNames);

        var warning = Assert.Single(RunLog.Current.Warnings);
        Assert.Contains("Dataset 'mnist' is not available", warning);
        Assert.Contains("Using 'fashion-mnist' instead", warning);
        Assert.Contains("VAELAB_OFFLINE=1", warning);
        Assert.Equal(new DatasetUse("mnist", "fashion-mnist", splits.Source), Assert.Single(RunLog.Current.Datasets));
    }

    // A small stand-in for mnist-10k: its names and raw files, the synthetic set's sizes.
    static readonly DatasetSpec Digits = DatasetSpec.Mnist10k with { TrainCount = SyntheticData.TrainCount, TestCount = SyntheticData.TestCount };

    [Fact]
    public void TheFullMnistComesBeforeTheDigits()
    {
        SyntheticData.WriteFiles(Path.Combine(Repo, "data", "mnist"), marker: 3);
        SyntheticData.WriteFiles(Path.Combine(Repo, "data", "mnist-10k"), marker: 7, gzip: false);
        var splits = Datasets.LoadOrFallback(_mnist, new[] { Digits }, _fashion, Sources(offline: true));
        Assert.Equal(("mnist", "mnist"), (splits.Requested, splits.Used));
        Assert.Equal(3, SyntheticData.MarkerOf(splits));
        Assert.Empty(RunLog.Current.Warnings);
    }

    [Fact]
    public void WithoutTheFullMnistTheDigitsComeBeforeFashionMnistAndSaySo()
    {
        SyntheticData.WriteFiles(Path.Combine(EnvDir, "mnist-10k"), marker: 7, gzip: false);
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 5);
        var splits = Datasets.LoadOrFallback(_mnist, new[] { Digits }, _fashion, Sources(offline: true));
        Assert.Equal(("mnist", "mnist-10k"), (splits.Requested, splits.Used));
        Assert.Equal(7, SyntheticData.MarkerOf(splits));
        Assert.StartsWith("VAELAB_DATA_DIR", splits.Source);
        Assert.EndsWith($"{SyntheticData.TrainCount} training + {SyntheticData.TestCount} test images", splits.Source);
        Assert.Equal(new DatasetUse("mnist", "mnist-10k", splits.Source), Assert.Single(RunLog.Current.Datasets));
        var warning = Assert.Single(RunLog.Current.Warnings);
        Assert.Contains("Using 'mnist-10k' instead: 10,000 real MNIST digits", warning);
        Assert.Contains($"not the full mnist ({_mnist.TrainCount} + {_mnist.TestCount})", warning);
    }

    [Fact]
    public void MnistsDefaultSubstituteIsTheDigits() =>
        Assert.Equal(new[] { "mnist-10k" }, DatasetSpec.SubstitutesFor(DatasetSpec.Mnist).Select(s => s.Name));

    [Fact]
    public void WithNeitherMnistNorTheDigitsTheFallbackWarningNamesBoth()
    {
        SyntheticData.WriteFiles(Path.Combine(SystemRoot, "fashion-mnist"), marker: 5);
        var splits = Datasets.LoadOrFallback(_mnist, new[] { Digits }, _fashion, Sources(offline: true));
        Assert.Equal("fashion-mnist", splits.Used);
        var warning = Assert.Single(RunLog.Current.Warnings);
        Assert.Contains("'mnist-10k': VAELAB_DATA_DIR: folder absent", warning);
        Assert.Contains("Using 'fashion-mnist' instead", warning);
    }

    [Fact]
    public void WithoutAFallbackMissingMnistAndDigitsAreBothListed()
    {
        // Notebook 02's MNIST part: the full set or the digits, nothing else.
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.LoadOrFallback(_mnist, new[] { Digits }, _mnist, Sources(offline: true)));
        Assert.Contains("'mnist' or 'mnist-10k'", e.Message);
        Assert.Contains(Path.Combine(Repo, "data", "mnist-10k"), e.Message);
        Assert.Contains("scripts/provision-data.sh", e.Message);
        Assert.Empty(RunLog.Current.Datasets);
    }

    [Fact]
    public void MissingDigitsPointAtTheProvisioningScript()
    {
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Acquire(Digits, Sources(offline: false), out _));
        Assert.Contains("scripts/provision-data.sh", e.Message);
        Assert.Contains("skipped: no download location is known", e.Message);
        Assert.Empty(_downloader.Requests);
    }

    [Fact]
    public void LoadOrFallbackWithNeitherAvailableListsBoth()
    {
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.LoadOrFallback(_mnist, _fashion, Sources(offline: true)));
        Assert.Contains(Path.Combine(SystemRoot, "mnist"), e.Message);
        Assert.Contains(Path.Combine(SystemRoot, "fashion-mnist"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Empty(RunLog.Current.Datasets);
    }

    [Theory]
    [InlineData("fashion-mnist", "fashion-mnist")]
    [InlineData("Fashion_MNIST", "fashion-mnist")]
    [InlineData("fashionmnist", "fashion-mnist")]
    [InlineData("MNIST", "mnist")]
    [InlineData("MNIST_10k", "mnist-10k")]
    public void DatasetNamesAreNormalised(string given, string canonical) =>
        Assert.Equal(canonical, DatasetSpec.ForName(given).Name);

    [Fact]
    public void AnUnknownDatasetNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Datasets.Load("cifar10"));
        Assert.Contains("'cifar10'", e.Message);
        Assert.Contains("fashion-mnist, mnist", e.Message);
    }
}
