using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Reporting;

namespace VaeLab.Data;

/// <summary>
/// Where <see cref="Datasets"/> looks for files, in order: <see cref="DataDir"/> (VAELAB_DATA_DIR: &lt;dir&gt;/&lt;name&gt;/,
/// then files directly in &lt;dir&gt;), &lt;<see cref="RepositoryRoot"/>&gt;/data/&lt;name&gt;/, &lt;<see cref="SystemRoot"/>&gt;/&lt;name&gt;/
/// (Debian's /usr/share/datasets), then a download into data/&lt;name&gt;/ unless <see cref="Offline"/>.
/// </summary>
public sealed record DatasetSources(
    string? DataDir,            // VAELAB_DATA_DIR, or null when unset
    string? RepositoryRoot,     // the folder holding VaeLab.sln, or null when none was found
    string SystemRoot,          // where Debian's dataset packages install (/usr/share/datasets)
    bool Offline,               // VAELAB_OFFLINE=1: skip the download step
    IDownloader Downloader)     // fetches URLs (a fake in tests)
{
    public const string DataDirVariable = "VAELAB_DATA_DIR";
    public const string OfflineVariable = "VAELAB_OFFLINE";
    public const string DebianDatasetsRoot = "/usr/share/datasets";
    public const string SolutionFileName = RunContract.SolutionFileName;

    /// <summary>The downloader <see cref="FromEnvironment"/> uses; a host may replace it.</summary>
    public static IDownloader DefaultDownloader { get; set; } = new HttpDownloader();

    /// <summary>The sources as configured now: environment variables read at call time.</summary>
    public static DatasetSources FromEnvironment()
    {
        string? dataDir = Environment.GetEnvironmentVariable(DataDirVariable);
        return new DatasetSources(
            DataDir: string.IsNullOrWhiteSpace(dataDir) ? null : dataDir,
            RepositoryRoot: FindRepositoryRoot(),
            SystemRoot: DebianDatasetsRoot,
            Offline: IsTrue(Environment.GetEnvironmentVariable(OfflineVariable)),
            Downloader: DefaultDownloader);
    }

    /// <summary>The nearest folder holding VaeLab.sln above the current directory, else above the app's base
    /// directory; null if neither has one.</summary>
    public static string? FindRepositoryRoot() => RunContract.FindRepositoryRoot();

    /// <summary>Where downloads for <paramref name="name"/> are saved: data/&lt;name&gt;/ in the repository, else
    /// &lt;VAELAB_DATA_DIR&gt;/&lt;name&gt;/; null when there is neither.</summary>
    public string? DownloadDirFor(string name) =>
        RepositoryRoot != null ? Path.Combine(RepositoryRoot, "data", name)
        : DataDir != null ? Path.Combine(DataDir, name)
        : null;

    static bool IsTrue(string? value) =>
        value != null && (value.Trim() is "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)
                          || value.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase));
}

/// <summary>One place the acquisition chain looked, and what it found.</summary>
public sealed record DatasetAttempt(string Step, string Place, string Outcome)
{
    public override string ToString() => $"{Step} ({Place}): {Outcome}";
}

/// <summary>No step of the acquisition chain yielded the dataset. The message lists every place tried, why each
/// failed, and how to fix it.</summary>
public sealed class DatasetUnavailableException : Exception
{
    public DatasetUnavailableException(string dataset, IReadOnlyList<DatasetAttempt> attempts, string fix)
        : base($"Dataset '{dataset}' could not be loaded. Tried, in order:\n" +
               string.Join("\n", attempts.Select((a, i) => $"  {i + 1}. {a}")) + "\nTo fix: " + fix)
    {
        Dataset = dataset;
        Attempts = attempts;
        Fix = fix;
    }

    public string Dataset { get; }
    /// <summary>How to make the dataset available.</summary>
    public string Fix { get; }
    public IReadOnlyList<DatasetAttempt> Attempts { get; }
}

/// <summary>
/// Loads MNIST and Fashion-MNIST as float32 N×1×28×28 images in [0, 1] and int64 labels.
/// Decoded files are cached in-process, keyed by path, size and modification time, as raw bytes: every call builds
/// fresh tensors from them, so in-place operations on returned tensors never reach the cache or another caller
/// (the cost is one byte→float conversion per call, tens of milliseconds, instead of re-decompressing).
/// </summary>
public static class Datasets
{
    /// <summary>Loads a dataset ("fashion-mnist" | "mnist") through the acquisition chain and records it in the
    /// run log. Throws <see cref="DatasetUnavailableException"/> listing every place tried.</summary>
    public static DatasetSplits Load(string name) => Load(DatasetSpec.ForName(name), DatasetSources.FromEnvironment());

    /// <summary><see cref="Load(string)"/> with explicit spec and sources.</summary>
    public static DatasetSplits Load(DatasetSpec spec, DatasetSources sources)
    {
        var splits = Acquire(spec, sources, out _);
        RunLog.Current.RecordDataset(new DatasetUse(spec.Name, spec.Name, splits.Source));
        return splits;
    }

    /// <summary>
    /// Loads <paramref name="requested"/>; when it cannot be had, its substitutes (<see cref="DatasetSpec.SubstitutesFor"/>:
    /// for MNIST the 10,000 real digits of mnist-10k); when none can be had either, <paramref name="fallback"/>. A
    /// substitute or the fallback comes with a visible warning. The outcome is recorded in the run log; the result's
    /// Requested and Used say which set was used.
    /// </summary>
    public static DatasetSplits LoadOrFallback(string requested, string fallback = "fashion-mnist")
    {
        var spec = DatasetSpec.ForName(requested);
        return LoadOrFallback(spec, DatasetSpec.SubstitutesFor(spec), DatasetSpec.ForName(fallback), DatasetSources.FromEnvironment());
    }

    /// <summary><see cref="LoadOrFallback(string, string)"/> with explicit specs and sources, and the requested
    /// set's default substitutes.</summary>
    public static DatasetSplits LoadOrFallback(DatasetSpec requested, DatasetSpec fallback, DatasetSources sources) =>
        LoadOrFallback(requested, DatasetSpec.SubstitutesFor(requested), fallback, sources);

    /// <summary><see cref="LoadOrFallback(string, string)"/> with every set explicit.</summary>
    public static DatasetSplits LoadOrFallback(DatasetSpec requested, IReadOnlyList<DatasetSpec> substitutes, DatasetSpec fallback, DatasetSources sources)
    {
        DatasetSplits? splits = null;
        var failed = new List<DatasetUnavailableException>();
        foreach (var spec in new[] { requested }.Concat(substitutes))
        {
            try
            {
                splits = Acquire(spec, sources, out _) with { Requested = requested.Name };
                break;
            }
            catch (DatasetUnavailableException missing) { failed.Add(missing); }
        }
        if (splits == null && requested.Name != fallback.Name)
        {
            try
            {
                splits = Acquire(fallback, sources, out _) with { Requested = requested.Name };
            }
            catch (DatasetUnavailableException alsoMissing)
            {
                var names = string.Join("', '", failed.Select(f => f.Dataset));
                throw new DatasetUnavailableException($"{names}' or fallback '{fallback.Name}",
                    failed.SelectMany(f => f.Attempts).Concat(alsoMissing.Attempts).ToArray(),
                    string.Join(" Or: ", failed.Skip(1).Select(f => f.Fix).Append(alsoMissing.Fix)));
            }
        }
        if (splits == null)
            throw failed.Count == 1 ? failed[0]
                : new DatasetUnavailableException(string.Join("' or '", failed.Select(f => f.Dataset)),
                    failed.SelectMany(f => f.Attempts).ToArray(), string.Join(" Or: ", failed.Select(f => f.Fix)));

        if (splits.FellBack)
        {
            string why = string.Join("; ", failed.Select(f => $"'{f.Dataset}': " + string.Join("; ", f.Attempts.Select(a => $"{a.Step}: {a.Outcome}"))));
            var used = substitutes.FirstOrDefault(s => s.Name == splits.Used);
            RunLog.Current.Warn(used != null
                ? $"Dataset '{requested.Name}' is not available ({why}). Using '{used.Name}' instead: {used.Description}, " +
                  $"{splits.Train.Count} training and {splits.Test.Count} test images; every result in this run is for {used.Name}, " +
                  $"not the full {requested.Name} ({requested.TrainCount} + {requested.TestCount})."
                : $"Dataset '{requested.Name}' is not available ({why}). Using '{fallback.Name}' instead: " +
                  $"every result in this run is for {fallback.Name}, not {requested.Name}.");
        }
        RunLog.Current.RecordDataset(new DatasetUse(splits.Requested, splits.Used, splits.Source));
        return splits;
    }

    /// <summary>Empties the in-process cache of decoded files.</summary>
    public static void ClearCache()
    {
        lock (CacheGate) Cache.Clear();
    }

    /// <summary>Number of decoded file sets held in the cache.</summary>
    public static int CachedCount { get { lock (CacheGate) return Cache.Count; } }

    /// <summary>Runs the acquisition chain without recording; <paramref name="attempts"/> lists the places tried.</summary>
    public static DatasetSplits Acquire(DatasetSpec spec, DatasetSources sources, out IReadOnlyList<DatasetAttempt> attempts)
    {
        var tried = new List<DatasetAttempt>();
        attempts = tried;
        DatasetSplits? found;

        // 1. VAELAB_DATA_DIR: <dir>/<name>/, then files directly in <dir>.
        const string envStep = "VAELAB_DATA_DIR";
        if (sources.DataDir == null)
            tried.Add(new(envStep, $"${DatasetSources.DataDirVariable}", "not set"));
        else
        {
            var sub = Path.Combine(sources.DataDir, spec.Name);
            if ((found = TryFolder(spec, envStep, sub, $"{envStep} ({sub})", tried, requireIdentity: false)) != null) return found;
            if ((found = TryFolder(spec, envStep, sources.DataDir, $"{envStep} ({sources.DataDir})", tried, requireIdentity: true)) != null) return found;
        }

        // 2. data/<name>/ in the repository.
        const string repoStep = "repository data folder";
        if (sources.RepositoryRoot == null)
            tried.Add(new(repoStep, $"data/{spec.Name}/",
                $"no {DatasetSources.SolutionFileName} found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}"));
        else
        {
            var repoDir = Path.Combine(sources.RepositoryRoot, "data", spec.Name);
            if ((found = TryFolder(spec, repoStep, repoDir, $"repository ({repoDir})", tried, requireIdentity: false)) != null) return found;
        }

        // 3. The Debian package's folder.
        const string systemStep = "system datasets folder";
        var systemDir = Path.Combine(sources.SystemRoot, spec.Name);
        string systemLabel = spec.DebianPackage != null ? $"Debian package {spec.DebianPackage} ({systemDir})" : $"system ({systemDir})";
        if ((found = TryFolder(spec, systemStep, systemDir, systemLabel, tried, requireIdentity: false)) != null) return found;

        // 4. Download.
        const string downloadStep = "download";
        var targetDir = sources.DownloadDirFor(spec.Name);
        string mirrors = string.Join(", ", spec.Mirrors);
        if (sources.Offline)
            tried.Add(new(downloadStep, mirrors, $"skipped: {DatasetSources.OfflineVariable}=1"));
        else if (targetDir == null)
            tried.Add(new(downloadStep, mirrors,
                $"skipped: no repository ({DatasetSources.SolutionFileName}) and no {DatasetSources.DataDirVariable} to save into"));
        else if (spec.Mirrors.Length == 0)
            tried.Add(new(downloadStep, targetDir, "skipped: no download location is known for this dataset"));
        else
        {
            bool existed = Directory.Exists(targetDir);
            try
            {
                var used = DownloadInto(spec, sources.Downloader, targetDir);
                if ((found = TryFolder(spec, downloadStep, targetDir, $"downloaded from {used} into {targetDir}", tried, requireIdentity: false)) != null)
                    return found;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or DownloadVerificationException
                                          or UnauthorizedAccessException or TaskCanceledException)
            {
                tried.Add(new(downloadStep, $"{mirrors} → {targetDir}", "failed: " + e.Message));
                // Leave no empty data/<name>/ behind: a later look there would only find "no dataset files".
                if (!existed && Directory.Exists(targetDir) && !Directory.EnumerateFileSystemEntries(targetDir).Any())
                    Directory.Delete(targetDir);
            }
        }

        throw new DatasetUnavailableException(spec.Name, tried, FixFor(spec));
    }

    static string FixFor(DatasetSpec spec)
    {
        var files = string.Join(", ", spec.Files.Select(f => f.FileName));
        if (spec.ProvisionHint != null)
            return $"{spec.ProvisionHint}; or set {DatasetSources.DataDirVariable} to a folder holding {files} (in <dir>/{spec.Name}/).";
        var fixes = new List<string>();
        if (spec.DebianPackage != null)
            fixes.Add($"install the Debian package (sudo apt-get install {spec.DebianPackage})");
        fixes.Add($"set {DatasetSources.DataDirVariable} to a folder holding {files} (in <dir>/{spec.Name}/ or directly in <dir>)");
        fixes.Add($"go online (and unset {DatasetSources.OfflineVariable}) so the files download into data/{spec.Name}/");
        string text = string.Join("; or ", fixes) + ".";
        if (spec.DebianPackage == null)
            text += $" {spec.Name} has no Debian package, so offline it cannot be had: Datasets.LoadOrFallback(\"{spec.Name}\") falls back to fashion-mnist " +
                $"with a warning.";
        return text;
    }

    /// <summary>Downloads any file of <paramref name="spec"/> not already in <paramref name="dir"/> with the
    /// published hash. Returns the mirror(s) used.</summary>
    static string DownloadInto(DatasetSpec spec, IDownloader downloader, string dir)
    {
        var used = new HashSet<string>();
        foreach (var file in spec.Files)
        {
            var destination = Path.Combine(dir, file.FileName);
            if (File.Exists(destination) && VerifiedDownload.Sha256Of(destination) == file.Sha256) { used.Add("(already present)"); continue; }
            var urls = spec.Mirrors.Select(m => new Uri(new Uri(m.EndsWith('/') ? m : m + "/"), file.FileName)).ToArray();
            var url = VerifiedDownload.Fetch(downloader, urls, destination, file.Sha256);
            used.Add(url.GetLeftPart(UriPartial.Authority));
        }
        return string.Join(", ", used);
    }

    /// <summary>Loads the dataset from <paramref name="folder"/> if all its files are there and sound; otherwise
    /// records why not and returns null. Damaged files are also warned about, since a later source may hide them.
    /// With <paramref name="requireIdentity"/> (files directly in VAELAB_DATA_DIR, where MNIST and Fashion-MNIST
    /// have the same names) the files are used only if the folder is named after the dataset or their hashes are
    /// the published ones, so one dataset is never silently loaded as the other.</summary>
    static DatasetSplits? TryFolder(DatasetSpec spec, string step, string folder, string source, List<DatasetAttempt> tried, bool requireIdentity)
    {
        if (!Directory.Exists(folder))
        {
            tried.Add(new(step, folder, "folder absent"
                + (spec.DebianPackage != null && folder.StartsWith(DatasetSources.DebianDatasetsRoot, StringComparison.Ordinal)
                ? $" (sudo apt-get install {spec.DebianPackage} installs it)" : "")));
            return null;
        }
        var paths = spec.Files.Select(f => f.CandidateNames().Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists)).ToArray();
        var missing = spec.Files.Where((f, i) => paths[i] == null).Select(f => f.FileName).ToArray();
        if (missing.Length == spec.Files.Count)
        {
            tried.Add(new(step, folder, "no dataset files in it"));
            return null;
        }
        if (missing.Length > 0)
        {
            tried.Add(new(step, folder, $"incomplete: missing {string.Join(", ", missing)}"));
            return null;
        }
        if (requireIdentity && !NamedAfter(folder, spec.Name) && !spec.Files.Select((f, i) => VerifiedDownload.Sha256Of(paths[i]!) == f.Sha256).All(ok => ok))
        {
            tried.Add(new(step, folder,
                $"holds IDX files directly, but neither the folder name nor the file hashes say they are {spec.Name} " +
                $"(MNIST and Fashion-MNIST use the same file names): move them into {Path.Combine(folder, spec.Name)}"));
            return null;
        }
        try
        {
            var decoded = Decode(spec, paths!);
            return new DatasetSplits(
                ToDataset(spec, "train", decoded.TrainImages, decoded.TrainLabels),
                ToDataset(spec, "test", decoded.TestImages, decoded.TestLabels),
                Requested: spec.Name, Used: spec.Name,
                // The size goes into the source, so the run summary and the report say how big the set was.
                Source: $"{source}; {decoded.TrainImages.Count} training + {decoded.TestImages.Count} test images");
        }
        catch (IdxFormatException e)
        {
            tried.Add(new(step, folder, "damaged: " + e.Message));
            RunLog.Current.Warn($"Skipping {source}: {e.Message}");
            return null;
        }
    }

    static bool NamedAfter(string folder, string name)
    {
        static string Key(string s) => new(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        return Key(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))) == Key(name);
    }

    sealed record Decoded(IdxArray TrainImages, IdxArray TrainLabels, IdxArray TestImages, IdxArray TestLabels);

    static readonly object CacheGate = new();
    static readonly Dictionary<string, Decoded> Cache = new();
    static readonly Queue<string> CacheOrder = new();
    const int CacheCapacity = 4;

    static Decoded Decode(DatasetSpec spec, string[] paths)
    {
        string key = string.Join("|", paths.Select(p =>
        {
            var info = new FileInfo(p);
            return $"{info.FullName}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
        lock (CacheGate)
            if (Cache.TryGetValue(key, out var hit)) { Check(spec, paths, hit); return hit; }

        var (trainImages, trainLabels) = IdxReader.ReadPair(paths[0], paths[1]);
        var (testImages, testLabels) = IdxReader.ReadPair(paths[2], paths[3]);
        var decoded = new Decoded(trainImages, trainLabels, testImages, testLabels);
        Check(spec, paths, decoded);
        lock (CacheGate)
        {
            if (Cache.TryAdd(key, decoded)) CacheOrder.Enqueue(key);
            while (Cache.Count > CacheCapacity && CacheOrder.TryDequeue(out var old)) Cache.Remove(old);
        }
        return decoded;
    }

    /// <summary>Checks sizes and label range against the spec: a file of the right format but the wrong
    /// dataset or a partial copy is as bad as a damaged one.</summary>
    static void Check(DatasetSpec spec, string[] paths, Decoded d)
    {
        void Expect(string path, IdxArray images, int count, string split)
        {
            if (images.Dims[1] != spec.Rows || images.Dims[2] != spec.Cols)
                throw new IdxFormatException(path, $"images are {images.Dims[1]}×{images.Dims[2]}, but {spec.Name} images are {spec.Rows}×{spec.Cols}",
                    "This is not this dataset's file: check the folder, or delete it and fetch the dataset again.");
            if (images.Count != count)
                throw new IdxFormatException(path, $"holds {images.Count} {split} images, but {spec.Name} has {count} (a partial or different dataset)",
                    "Delete the folder's files and fetch the dataset again.");
        }
        void Labels(string path, IdxArray labels)
        {
            int bad = Array.FindIndex(labels.Data, b => b >= spec.ClassNames.Length);
            if (bad >= 0)
                throw new IdxFormatException(path, $"label {labels.Data[bad]} at index {bad} is outside the {spec.ClassNames.Length} classes of {spec.Name}");
        }
        Expect(paths[0], d.TrainImages, spec.TrainCount, "training");
        Expect(paths[2], d.TestImages, spec.TestCount, "test");
        Labels(paths[1], d.TrainLabels);
        Labels(paths[3], d.TestLabels);
    }

    /// <summary>Fresh tensors from decoded bytes: images / 255 as float32 N×1×H×W, labels as int64.</summary>
    internal static ImageDataset ToDataset(DatasetSpec spec, string split, IdxArray images, IdxArray labels)
    {
        using var scope = torch.NewDisposeScope();
        var dims = images.Dims;
        // empty + bytes setter is one memcpy; torch.tensor(byte[]) goes element by element (several times slower).
        var bytes = torch.empty(new long[] { dims[0], 1, dims[1], dims[2] }, ScalarType.Byte);
        bytes.bytes = images.Data;
        var x = bytes.to_type(ScalarType.Float32).div_(255f);
        var y = torch.tensor(labels.Data.Select(b => (long)b).ToArray(), dtype: ScalarType.Int64);
        return new ImageDataset($"{spec.Name} {split}", x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), (string[])spec.ClassNames.Clone());
    }
}
