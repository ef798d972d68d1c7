using System.Runtime.CompilerServices;

namespace VaeLab.Testing;

static class TestEnvironment
{
    /// <summary>
    /// Tests never read a developer's artifacts/cache: a stale entry would hide a change to training. Each test
    /// process gets its own checkpoint cache folder, removed at exit. Linked into each test project (one copy).
    /// </summary>
    [ModuleInitializer]
    internal static void UseAPrivateCheckpointCache()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"vaelab-test-cache-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable("VAELAB_CACHE_DIR", dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
    }
}
