using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Reporting;

namespace VaeLab.Training;

/// <summary>
/// Per-epoch checkpoints of a long training run, so that a stopped run (a killed process, a closed session) resumes
/// at the last saved epoch instead of starting over. A checkpoint holds the modules, the optimizers' states, the
/// history, the number of epochs done, the global RNG state (so dropout and prior draws continue as they would have)
/// and any counters the trainer needs. It lives beside the run's checkpoint-cache entry, in
/// <c>&lt;cache&gt;/&lt;key&gt;.partial/</c>, so only a run with the same settings, data and initial weights resumes from
/// it; each save goes to a temporary folder renamed into place, and the finished entry replaces it.
/// </summary>
public sealed class EpochCheckpoint
{
    const string Manifest = "manifest.json", StateFile = "state.json", RngFile = "rng.bin";

    readonly IReadOnlyList<nn.Module> _modules;
    readonly IReadOnlyList<optim.Optimizer> _optimizers;
    DateTime _lastSave = DateTime.UtcNow;

    public EpochCheckpoint(string directory, IReadOnlyList<nn.Module> modules, IReadOnlyList<optim.Optimizer> optimizers)
    {
        Directory = directory;
        _modules = modules;
        _optimizers = optimizers;
    }

    /// <summary>Where the checkpoint is kept.</summary>
    public string Directory { get; }

    /// <summary>Least time between two saves (a save of the AAE's networks and Adam moments is about 100 MB):
    /// a stop loses at most this much training plus one epoch.</summary>
    public static TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Called after each save with the number of epochs done (tests stop a run here).</summary>
    internal static Action<int>? AfterSave { get; set; }

    /// <summary>What a resumed run continues from.</summary>
    public sealed record State(int EpochsDone, History History, Dictionary<string, long> Counters);

    /// <summary>
    /// Resumes from the checkpoint when there is one: loads it into the modules, the optimizers and the global RNG
    /// and returns where to continue (and prints from which epoch). Returns null when there is none, and also when it
    /// fails its checksums (reported in one line and deleted; nothing has been loaded then, so the run starts over).
    /// A checkpoint that passes its checksums but cannot be loaded is an error naming the folder to delete.
    /// </summary>
    public State? Resume(string name)
    {
        if (!System.IO.Directory.Exists(Directory)) return null;
        State state;
        try
        {
            var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Directory, Manifest)))
                           ?? throw new InvalidDataException("empty manifest");
            foreach (var (file, sum) in manifest)
                if (Sha256(Path.Combine(Directory, file)) != sum) throw new InvalidDataException($"{file} does not match its checksum");
            int expected = _modules.Count + _optimizers.Count + 2;
            if (manifest.Count != expected) throw new InvalidDataException($"{manifest.Count} files listed, {expected} expected");
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(Directory, StateFile)), JsonOptions)
                    ?? throw new InvalidDataException("empty state");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            RunLog.Current.Warn($"epoch checkpoint: {Directory} is unusable ({e.Message.Split('\n')[0]}); training {name} from the start.");
            Delete();
            return null;
        }
        try
        {
            for (int i = 0; i < _modules.Count; i++) _modules[i].load(Path.Combine(Directory, $"module{i}.bin"), strict: true);
            for (int i = 0; i < _optimizers.Count; i++) Savable(_optimizers[i]).load_state_dict(Path.Combine(Directory, $"optimizer{i}.bin"));
            var bytes = File.ReadAllBytes(Path.Combine(Directory, RngFile));
            using var rng = torch.empty(new long[] { bytes.Length }, ScalarType.Byte);
            rng.bytes = bytes;
            Lab.RestoreRng(rng);
        }
        catch (Exception e)
        {
            // Some networks may hold the checkpoint's weights now: training on from here would mix two states.
            throw new InvalidOperationException(
                $"epoch checkpoint: {Directory} passed its checksums but could not be loaded into {name} ({e.Message.Split('\n')[0]}). " +
                "Delete that folder (or pass retrain = true) and run again.", e);
        }
        Console.WriteLine($"epoch checkpoint: resuming {name} after epoch {state.EpochsDone} from {Directory}");
        return state;
    }

    /// <summary>Saves the state after <paramref name="epochsDone"/> epochs, unless the last save was less than
    /// <see cref="MinInterval"/> ago.</summary>
    public void SaveIfDue(int epochsDone, History history, IReadOnlyDictionary<string, long>? counters = null)
    {
        if (DateTime.UtcNow - _lastSave < MinInterval) return;
        Save(epochsDone, history, counters);
    }

    /// <summary>Saves the state after <paramref name="epochsDone"/> epochs.</summary>
    public void Save(int epochsDone, History history, IReadOnlyDictionary<string, long>? counters = null)
    {
        var full = Path.GetFullPath(Directory);
        var parent = Path.GetDirectoryName(full)!;
        System.IO.Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        System.IO.Directory.CreateDirectory(tmp);
        try
        {
            var files = new List<string>();
            for (int i = 0; i < _modules.Count; i++) { _modules[i].save(Path.Combine(tmp, $"module{i}.bin")); files.Add($"module{i}.bin"); }
            for (int i = 0; i < _optimizers.Count; i++) { Savable(_optimizers[i]).save_state_dict(Path.Combine(tmp,
                $"optimizer{i}.bin")); files.Add($"optimizer{i}.bin"); }
            using (var rng = Lab.SaveRng()) File.WriteAllBytes(Path.Combine(tmp, RngFile), rng.bytes.ToArray());
            files.Add(RngFile);
            var state = new State(epochsDone, history, counters?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new());
            File.WriteAllText(Path.Combine(tmp, StateFile), JsonSerializer.Serialize(state, JsonOptions));
            files.Add(StateFile);
            File.WriteAllText(Path.Combine(tmp, Manifest), JsonSerializer.Serialize(files.ToDictionary(f => f, f => Sha256(Path.Combine(tmp, f)))));
            string? old = null;
            if (System.IO.Directory.Exists(full))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.old");
                System.IO.Directory.Move(full, old);
            }
            System.IO.Directory.Move(tmp, full);
            if (old != null) System.IO.Directory.Delete(old, recursive: true);
        }
        catch
        {
            try { System.IO.Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
        _lastSave = DateTime.UtcNow;
        AfterSave?.Invoke(epochsDone);
    }

    /// <summary>Removes the checkpoint (the run finished, or starts over).</summary>
    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>TorchSharp's optimizers (Adam among them) save their state through OptimizerHelper.</summary>
    static TorchSharp.Modules.OptimizerHelper Savable(optim.Optimizer optimizer) =>
        optimizer as TorchSharp.Modules.OptimizerHelper
        ?? throw new NotSupportedException($"{optimizer.GetType().Name} cannot save its state, so its run cannot be checkpointed.");

    static readonly JsonSerializerOptions JsonOptions = new() { IncludeFields = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f));
    }
}
