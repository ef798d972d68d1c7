using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Reporting;

namespace VaeLab.Training;

/// <summary>A cached or fresh training result, and the cache entry that holds it.</summary>
public sealed record CachedRun<TResult>(TResult Result, bool FromCache, CacheEntry Entry);

/// <summary>One entry of the checkpoint cache: its key and folder (<see cref="CheckpointCache.Entry"/>).</summary>
public sealed record CacheEntry(string Key, string Directory);

/// <summary>
/// Caches trained models under <c>artifacts/cache/</c> (or <c>VAELAB_CACHE_DIR</c>), keyed by a hash of the model
/// configuration, the data selection, the seed and the library version. A re-run loads the weights instead of
/// training unless <c>retrain</c> is set. Entries are written to a temporary folder and renamed into place; a corrupt or
/// incompatible entry is reported in one line and retrained. After either path the global RNGs are re-seeded from
/// the key, so the cells after a cached load draw the same random numbers as after training.
/// The key does not hash the library's code: a trainer whose training changes bumps the format tag in its name.
/// </summary>
public static class CheckpointCache
{
    const string Manifest = "manifest.json", ResultFile = "result.json";

    /// <summary>The cache folder: VAELAB_CACHE_DIR, else artifacts/cache under the repository, else under the temp folder.</summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("VAELAB_CACHE_DIR");
            if (!string.IsNullOrWhiteSpace(env)) return env;
            var repo = VaeLab.Data.DatasetSources.FindRepositoryRoot();
            return repo != null ? Path.Combine(repo, "artifacts", "cache") : Path.Combine(Path.GetTempPath(), "vaelab-cache");
        }
    }

    /// <summary>The cache key: SHA-256 over the JSON of the configuration, the data selection, the seed and the library version.</summary>
    public static string Key(string name, object config, string dataSelection, int seed)
    {
        var version = typeof(CheckpointCache).Assembly.GetName().Version?.ToString() ?? "0";
        var text = $"{name}\n{config.GetType().FullName}\n{JsonSerializer.Serialize(config, config.GetType())}\n{dataSelection}\n{seed}\n{version}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return $"{Sanitize(name)}-{Convert.ToHexString(hash)[..16].ToLowerInvariant()}";
    }

    /// <summary>
    /// Loads <paramref name="modules"/>' weights and the JSON-serialisable result of <paramref name="entry"/>, or runs
    /// <paramref name="train"/> (which trains the modules in place) and stores both. <paramref name="train"/> gets the
    /// folder for a resumable run's per-epoch checkpoints (<see cref="EpochCheckpoint"/>), &lt;key&gt;.partial beside the
    /// entry; it is removed once the entry is stored, and before training when <paramref name="retrain"/> is set. A run
    /// that does not resume ignores it (<c>_ =&gt; Fit(...)</c>).
    /// </summary>
    public static CachedRun<TResult> LoadOrTrain<TResult>(CacheEntry entry, IReadOnlyList<nn.Module> modules, Func<string, TResult> train,
        bool retrain = false)
    {
        var partial = entry.Directory + ".partial";
        if (!retrain && TryLoad<TResult>(entry, modules, out var loaded))
            return new CachedRun<TResult>(loaded, true, entry);
        if (retrain && System.IO.Directory.Exists(partial)) System.IO.Directory.Delete(partial, recursive: true);
        var result = train(partial);
        Save(entry, modules, result);
        if (System.IO.Directory.Exists(partial)) System.IO.Directory.Delete(partial, recursive: true);
        return new CachedRun<TResult>(result, false, entry);
    }

    /// <summary>The entry of a run keyed by its configuration, a description of its data and its seed (<see cref="Key"/>).</summary>
    public static CacheEntry Entry(string name, object config, string dataSelection, int seed)
    {
        var key = Key(name, config, dataSelection, seed);
        return new CacheEntry(key, Path.Combine(Root, key));
    }

    /// <summary>
    /// A short content hash of tensors (shape, dtype and bytes), for the data selection part of a key: two runs on
    /// different data (MNIST or its Fashion-MNIST fallback, another subset) never share an entry.
    /// </summary>
    public static string Fingerprint(params Tensor?[] tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors)
        {
            if (t is null) { sha.AppendData("null;"u8); continue; }
            using var c = t.detach().cpu().contiguous();
            sha.AppendData(Encoding.UTF8.GetBytes($"{c.dtype}[{string.Join(",", c.shape)}];"));
            sha.AppendData(c.bytes);
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    /// <summary>Seeds the global RNGs from <paramref name="key"/>, as loading or saving that entry does: a trainer that
    /// loads some entries and trains others calls it with its last entry, so the cells after it draw the same numbers
    /// whichever entries came from the cache.</summary>
    public static void ReseedAfter(string key) => Lab.Seed(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0) & int.MaxValue);

    /// <summary>
    /// The entry of a run keyed by content hashes of <paramref name="data"/> and of the <paramref name="modules"/>'
    /// initial weights instead of a data description and seed: whatever RNG state built the modules, an entry is used
    /// only for the same start. Trainers that load and store entries themselves (several runs trained as one batch)
    /// use the same entries.
    /// </summary>
    public static CacheEntry Entry(string name, object config, IReadOnlyList<Tensor?> data, IReadOnlyList<nn.Module> modules) =>
        Entry(name, config, Selection(data, modules), 0);

    /// <summary>The data selection of a key: content hashes of the data and of the modules' initial weights.</summary>
    static string Selection(IReadOnlyList<Tensor?> data, IReadOnlyList<nn.Module> modules)
    {
        var initial = modules.SelectMany(m => m.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Tensor?)kv.Value)).ToArray();
        return $"data {Fingerprint(data.ToArray())}; initial weights {Fingerprint(initial)}";
    }

    /// <summary>Loads <paramref name="entry"/> into <paramref name="modules"/> and returns its result, or false (nothing
    /// stored, or an unusable entry, which is reported and will be overwritten).</summary>
    public static bool TryLoad<TResult>(CacheEntry entry, IReadOnlyList<nn.Module> modules, out TResult result)
    {
        result = default!;
        if (!System.IO.Directory.Exists(entry.Directory)) return false;
        var loaded = TryLoad<TResult>(entry.Directory, modules, out var problem);
        if (loaded == null)
        {
            RunLog.Current.Warn($"checkpoint cache: entry {entry.Key} is unusable ({problem}); retraining.");
            return false;
        }
        Console.WriteLine($"checkpoint cache: loaded {entry.Key} from {entry.Directory} (pass retrain = true to train again)");
        ReseedAfter(entry.Key);
        result = loaded;
        return true;
    }

    /// <summary>Stores <paramref name="modules"/>' weights and <paramref name="result"/> as <paramref name="entry"/> (written whole, then renamed).</summary>
    public static void Save<TResult>(CacheEntry entry, IReadOnlyList<nn.Module> modules, TResult result)
    {
        Store(entry.Directory, entry.Key, modules, result);
        Console.WriteLine($"checkpoint cache: saved {entry.Key} to {entry.Directory}");
        ReseedAfter(entry.Key);
    }

    static TResult? TryLoad<TResult>(string dir, IReadOnlyList<nn.Module> modules, out string problem)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ManifestData>(File.ReadAllText(Path.Combine(dir, Manifest)))
                           ?? throw new InvalidDataException("empty manifest");
            if (manifest.Modules.Length != modules.Count) throw new InvalidDataException($"{manifest.Modules.Length} modules stored, {modules.Count} expected");
            for (int i = 0; i < modules.Count; i++)
            {
                var path = Path.Combine(dir, $"module{i}.bin");
                if (Sha256(path) != manifest.Modules[i]) throw new InvalidDataException($"module{i}.bin does not match its checksum");
            }
            var snapshots = modules.Select(m => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone())).ToList();
            try
            {
                for (int i = 0; i < modules.Count; i++) modules[i].load(Path.Combine(dir, $"module{i}.bin"), strict: true);
            }
            catch
            {
                // Leave the modules as they were: a half-loaded model must not be trained on.
                using (torch.no_grad())
                    for (int i = 0; i < modules.Count; i++)
                        foreach (var (k, v) in modules[i].state_dict()) v.copy_(snapshots[i][k]);
                throw;
            }
            var result = JsonSerializer.Deserialize<TResult>(File.ReadAllText(Path.Combine(dir, ResultFile)), JsonOptions)
                         ?? throw new InvalidDataException("empty result");
            problem = "";
            return result;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or ArgumentException or InvalidOperationException
                                       or NotImplementedException or UnauthorizedAccessException || e.GetType().Name.Contains("Torch"))
        {
            problem = e.Message.Split('\n')[0];
            return default;
        }
    }

    static void Store<TResult>(string dir, string key, IReadOnlyList<nn.Module> modules, TResult result)
    {
        var root = Path.GetDirectoryName(dir)!;
        System.IO.Directory.CreateDirectory(root);
        var tmp = Path.Combine(root, $".{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        System.IO.Directory.CreateDirectory(tmp);
        try
        {
            var sums = new string[modules.Count];
            for (int i = 0; i < modules.Count; i++)
            {
                var path = Path.Combine(tmp, $"module{i}.bin");
                modules[i].save(path);
                sums[i] = Sha256(path);
            }
            File.WriteAllText(Path.Combine(tmp, ResultFile), JsonSerializer.Serialize(result, JsonOptions));
            File.WriteAllText(Path.Combine(tmp, Manifest), JsonSerializer.Serialize(new ManifestData(key, sums, DateTime.UtcNow)));
            if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
            System.IO.Directory.Move(tmp, dir);
        }
        catch
        {
            try { System.IO.Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    static readonly JsonSerializerOptions JsonOptions = new() { IncludeFields = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f));
    }

    static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '-').ToArray());

    sealed record ManifestData(string Key, string[] Modules, DateTime Created);
}

/// <summary>
/// A tensor that is not a parameter (e.g. per-example codes) held as a module buffer, so that the checkpoint cache
/// saves it with the weights and loads it back in place.
/// </summary>
public sealed class TensorStore : nn.Module
{
    public TensorStore(string name, Tensor value) : base(name) => register_buffer("value", value);
}
