using System.Runtime.InteropServices;

namespace VaeLab;

/// <summary>
/// Gives memory that nothing uses any more back to the system. Shared as source with the runner, which calls it before
/// each notebook; the library calls it through <see cref="NativeMemoryTuning"/> before each cell.
/// </summary>
public static class MemoryRelease
{
    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);

    /// <summary>
    /// Collects (tensors that are no longer referenced free their native storage in their finalizers), then collects
    /// again aggressively, so that the GC also decommits what it freed instead of keeping it for reuse, then returns
    /// glibc's free pages (<see cref="TrimHeap"/>). Measured, notebook 02 and then another in one `vaelab run`: the second
    /// started from 0.77 GB resident instead of 1.06–1.21 GB.
    /// </summary>
    public static void CollectAndTrim()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimHeap();
    }

    /// <summary>glibc's free pages back to the OS (malloc_trim); nothing where there is no glibc.</summary>
    public static void TrimHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
