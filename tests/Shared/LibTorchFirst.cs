using System.Runtime.CompilerServices;

namespace VaeLab.Testing;

static class LibTorchFirst
{
    /// <summary>
    /// As a program calls Lab.Setup before it touches torch: libtorch is loaded by path from this test project's own
    /// package (TorchNative) before any test's first tensor, so a libtorch on LD_LIBRARY_PATH is never taken.
    /// </summary>
    [ModuleInitializer]
    internal static void LoadTheReferencedLibTorch() => TorchNative.EnsureLoaded();
}
