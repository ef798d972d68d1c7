using System.Runtime.CompilerServices;

namespace VaeLab.Testing;

static class TestEnvironment
{
    /// <summary>
    /// This test process's scratch folder, removed at exit with the checkpoint cache (a run of the notebooks writes
    /// about 100 MB of executed copies and pages; left behind, each test run would keep them).
    /// </summary>
    public static string Scratch { get; } = Path.Combine(Path.GetTempPath(), $"vaelab-tests-{Environment.ProcessId}");

    /// <summary>A fresh path under <see cref="Scratch"/>, not created.</summary>
    public static string NewScratchPath() => Path.Combine(Scratch, Guid.NewGuid().ToString("N")[..10]);

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
            foreach (var d in new[] { dir, Scratch })
                try { if (Directory.Exists(d)) Directory.Delete(d, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}
