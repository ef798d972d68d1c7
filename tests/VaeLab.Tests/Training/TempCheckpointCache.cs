namespace VaeLab.Tests.Training;

/// <summary>Points the checkpoint cache (VAELAB_CACHE_DIR) at a fresh folder until disposed, then restores and deletes.</summary>
sealed class TempCheckpointCache : IDisposable
{
    readonly string? _saved = Environment.GetEnvironmentVariable("VAELAB_CACHE_DIR");

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "vaelab-cache-test-" + Guid.NewGuid().ToString("N"));

    public TempCheckpointCache() => Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", Dir);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", _saved);
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }
}
