using System.Security.Cryptography;
using VaeLab.Data;

namespace VaeLab.Tests.Data;

/// <summary>A temporary folder deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("vaelab-data-test-").FullName;
    public string Sub(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Sets environment variables for the duration of a test and restores the old values.</summary>
sealed class EnvScope : IDisposable
{
    readonly Dictionary<string, string?> _old = new();
    public EnvScope Set(string name, string? value)
    {
        if (!_old.ContainsKey(name)) _old[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }
    public void Dispose()
    {
        foreach (var (k, v) in _old) Environment.SetEnvironmentVariable(k, v);
    }
}

/// <summary>Serves fixed bytes per URL, records every request, and never touches the network.</summary>
sealed class FakeDownloader : IDownloader
{
    public Dictionary<string, byte[]> Responses { get; } = new();
    public List<Uri> Requests { get; } = new();
    /// <summary>Runs during each download, before bytes are written (to inspect the destination folder).</summary>
    public Action<Uri>? DuringDownload { get; set; }

    public void Download(Uri url, Stream destination, Action<long, long?>? progress = null)
    {
        Requests.Add(url);
        DuringDownload?.Invoke(url);
        if (!Responses.TryGetValue(url.ToString(), out var bytes))
            throw new HttpRequestException($"fake: no route to {url.Host}");
        destination.Write(bytes, 0, bytes.Length / 2);
        progress?.Invoke(bytes.Length / 2, bytes.Length);
        destination.Write(bytes, bytes.Length / 2, bytes.Length - bytes.Length / 2);
        progress?.Invoke(bytes.Length, bytes.Length);
    }
}

/// <summary>Small synthetic MNIST-format datasets whose pixels say where they came from.</summary>
static class SyntheticData
{
    public const int TrainCount = 30;
    public const int TestCount = 20;
    public const string MirrorA = "https://mirror-a.invalid/data/";
    public const string MirrorB = "https://mirror-b.invalid/data/";

    /// <summary>Labels i mod 10; pixel 0 of every image is <paramref name="marker"/>, the rest are (i + j) mod 256.</summary>
    public static (byte[] Pixels, byte[] Labels) Make(int count, byte marker)
    {
        var pixels = new byte[count * 28 * 28];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < 784; j++)
                pixels[i * 784 + j] = j == 0 ? marker : (byte)((i + j) % 256);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        return (pixels, labels);
    }

    /// <summary>The published-style .gz bytes of each file of a synthetic set with <paramref name="marker"/>.</summary>
    public static Dictionary<string, byte[]> GzipFiles(byte marker)
    {
        using var dir = new TempDir();
        WriteFiles(dir.Path, marker);
        return Directory.GetFiles(dir.Path).ToDictionary(f => System.IO.Path.GetFileName(f), File.ReadAllBytes);
    }

    /// <summary>A spec like <paramref name="baseSpec"/> but for the small synthetic set, its hashes those of the
    /// synthetic files with <paramref name="downloadMarker"/>, and fake mirrors.</summary>
    public static DatasetSpec Spec(DatasetSpec baseSpec, byte downloadMarker = 4)
    {
        var files = GzipFiles(downloadMarker);
        string Hash(DatasetFile f) => Convert.ToHexString(SHA256.HashData(files[f.FileName])).ToLowerInvariant();
        return baseSpec with
        {
            TrainCount = TrainCount,
            TestCount = TestCount,
            TrainImages = baseSpec.TrainImages with { Sha256 = Hash(baseSpec.TrainImages) },
            TrainLabels = baseSpec.TrainLabels with { Sha256 = Hash(baseSpec.TrainLabels) },
            TestImages = baseSpec.TestImages with { Sha256 = Hash(baseSpec.TestImages) },
            TestLabels = baseSpec.TestLabels with { Sha256 = Hash(baseSpec.TestLabels) },
            Mirrors = new[] { MirrorA, MirrorB },
        };
    }

    /// <summary>Writes the four files (canonical .gz names, gzip content unless <paramref name="gzip"/> is false).</summary>
    public static void WriteFiles(string folder, byte marker, bool gzip = true)
    {
        var (trainX, trainY) = Make(TrainCount, marker);
        var (testX, testY) = Make(TestCount, marker);
        string N(string name) => System.IO.Path.Combine(folder, gzip ? name : name[..^3]);
        IdxWriter.WriteImages(N("train-images-idx3-ubyte.gz"), trainX, TrainCount, 28, 28, gzip);
        IdxWriter.WriteLabels(N("train-labels-idx1-ubyte.gz"), trainY, gzip);
        IdxWriter.WriteImages(N("t10k-images-idx3-ubyte.gz"), testX, TestCount, 28, 28, gzip);
        IdxWriter.WriteLabels(N("t10k-labels-idx1-ubyte.gz"), testY, gzip);
    }

    /// <summary>The marker pixel of the first training image: which source a load came from.</summary>
    public static int MarkerOf(DatasetSplits splits) =>
        (int)Math.Round(splits.Train.Images[0, 0, 0, 0].item<float>() * 255f);
}
