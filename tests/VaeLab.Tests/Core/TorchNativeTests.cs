namespace VaeLab.Tests.Core;

/// <summary>Which libtorch VaeLab loads: the referenced package's, by path, never one found by name on the system.</summary>
public sealed class TorchNativeTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("vaelab-torchnative-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A NuGet package's native folder, &lt;root&gt;/&lt;id&gt;/&lt;version&gt;/runtimes/linux-x64/native, holding empty files.</summary>
    string Package(string id, string version, params string[] files) => Folder(Path.Combine(id, version, "runtimes", "linux-x64", "native"), files);

    string Folder(string relative, params string[] files)
    {
        var dir = Path.Combine(_root, relative);
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.WriteAllBytes(Path.Combine(dir, f), []);
        return dir;
    }

    static readonly string[] Cpu = ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libgomp-98b21ff3.so.1"];

    [Fact]
    public void TheReferencedCpuPackageWinsOverALibTorchOnThePath()
    {
        // PATH as .NET Interactive leaves it after #r "nuget: TorchSharp-cpu": system folders first, then the packages.
        var system = Folder("usr/lib", "libc10.so", "libtorch_cpu.so", "libtorch.so");
        var package = Package("libtorch-cpu-linux-x64", "2.10.0", Cpu);
        var backend = TorchNative.FindBackend([], [system, Path.Combine(_root, "libtorch-cpu-linux-x64", "2.10.0"), package], "2.10.0");
        Assert.NotNull(backend);
        Assert.Equal("cpu", backend.Kind);
        Assert.Equal("2.10.0", backend.Version);
        Assert.Equal(package, backend.Directory);
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch.so"], backend.Libraries.Select(Path.GetFileName));
        Assert.All(backend.Libraries, l => Assert.Equal(package, Path.GetDirectoryName(l)));
    }

    [Fact]
    public void APathFolderThatIsNoLibTorchPackageIsNeverUsed()
    {
        var conda = Folder("conda/lib/python3.11/site-packages/torch/lib", "libc10.so", "libtorch_cpu.so", "libtorch.so");
        Assert.Null(TorchNative.FindBackend([], [conda], "2.10.0"));
        // A program's own native search directories (its deps.json) are trusted whatever their shape.
        var bin = Folder("bin/runtimes/linux-x64/native", Cpu);
        Assert.Equal(bin, TorchNative.FindBackend([bin], [conda], "2.10.0")!.Directory);
    }

    [Fact]
    public void ACudaBackendSpreadOverPartPackagesIsLoadedInDependencyOrder()
    {
        Package("libtorch-cpu-linux-x64", "2.10.0", Cpu);
        var part1 = Package("libtorch-cuda-12.8-linux-x64-part1", "2.10.0", "libc10.so", "libc10_cuda.so");
        var part2 = Package("libtorch-cuda-12.8-linux-x64-part2-primary", "2.10.0", "libtorch_cuda.so");
        var part3 = Package("libtorch-cuda-12.8-linux-x64-part3-primary", "2.10.0", "libtorch_cpu.so", "libtorch.so");
        var cpu = Path.Combine(_root, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
        var backend = TorchNative.FindBackend([], [cpu, part1, part2, part3], "2.10.0");
        Assert.NotNull(backend);
        Assert.Equal("cuda", backend.Kind);
        Assert.Equal(
            [Path.Combine(part1, "libc10.so"), Path.Combine(part1, "libc10_cuda.so"), Path.Combine(part3, "libtorch_cpu.so"),
             Path.Combine(part2, "libtorch_cuda.so"), Path.Combine(part3, "libtorch.so")],
            backend.Libraries);
    }

    [Fact]
    public void AnIncompleteBackendIsNoBackend()
    {
        var partial = Package("libtorch-cpu-linux-x64", "2.10.0", "libc10.so", "libtorch.so");
        Assert.Null(TorchNative.FindBackend([], [partial], "2.10.0"));
    }

    [Fact]
    public void TheExpectedVersionIsPreferredAndAnotherOneIsReportedAsSuch()
    {
        var old = Package("libtorch-cpu-linux-x64", "2.7.1", Cpu);
        var current = Package("libtorch-cpu-linux-x64", "2.10.0", Cpu);
        Assert.Equal(current, TorchNative.FindBackend([], [old, current], "2.10.0")!.Directory);
        Assert.Equal("2.7.1", TorchNative.FindBackend([], [old], "2.10.0")!.Version);
    }

    [Fact]
    public void ForeignLibrariesAreThoseOfAnotherInstall()
    {
        var package = Package("libtorch-cpu-linux-x64", "2.10.0", Cpu);
        var wanted = new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Select(f => Path.Combine(package, f)).ToArray();
        var link = Path.Combine(Folder("links"), "libc10.so");
        File.CreateSymbolicLink(link, wanted[0]);
        var mapped = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", wanted[1], link, "/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13", "/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13" };
        Assert.Equal(["/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13"], TorchNative.Foreign(mapped, wanted));
        Assert.Empty(TorchNative.Foreign(mapped[..3], wanted));
    }

    [Theory]
    [InlineData("/a/libc10.so", true)]
    [InlineData("/a/libtorch_cpu.so.1.13", true)]
    [InlineData("/a/libtorch.so.2", true)]
    [InlineData("/a/libtorch_cuda.so", true)]
    [InlineData("/a/libLibTorchSharp.so", true)]
    [InlineData("/a/libtorch_python.so", false)]
    [InlineData("/a/libtorchvision.so", false)]
    [InlineData("/a/libc10.sox", false)]
    [InlineData("/a/libgomp-98b21ff3.so.1", false)]
    public void LibTorchFilesAreKnownByNameWhateverTheirVersionSuffix(string path, bool expected) =>
        Assert.Equal(expected, TorchNative.IsLibTorchFile(path));

    [Theory]
    [InlineData("2.10.0.0", "2.10.0")]
    [InlineData("2.10.0", "2.10.0")]
    [InlineData("2.7.1.1", "2.7.1.1")]
    [InlineData("1.0.0-beta.1", "1.0.0-beta.1")]
    public void VersionsAreNormalizedAsNuGetFoldersNameThem(string raw, string normalized) =>
        Assert.Equal(normalized, TorchNative.NormalizeVersion(raw));

    [Fact]
    public void PackageFoldersAreRecognisedByTheirShape()
    {
        Assert.Equal(("libtorch-cpu-linux-x64", "2.10.0"), TorchNative.PackageOf("/home/u/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native/"));
        Assert.Null(TorchNative.PackageOf("/home/u/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/"));
        Assert.Null(TorchNative.PackageOf("/usr/lib"));
        Assert.Null(TorchNative.PackageOf("/src/tests/bin/Release/net10.0/runtimes/linux-x64/native"));
    }

    [Fact]
    public void TorchSharpsLibTorchVersionIsReadWithoutItsInitializer()
    {
        // TorchSharp 0.107.0 is built against libtorch 2.10.0 (its libtorch-cpu-linux-x64 dependency, Directory.Packages.props).
        Assert.Equal("2.10.0", TorchNative.ExpectedLibTorchVersion());
    }

    [Fact]
    public void InThisProcessTheLoadedLibTorchIsTheReferencedPackagesAndNoOther()
    {
        Lab.Setup(seed: 0);
        if (!OperatingSystem.IsLinux()) return;
        Assert.Contains("loaded by path from", TorchNative.Status);
        var mapped = File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..].Trim() : "")
            .Where(TorchNative.IsLibTorchFile).Distinct().ToList();
        Assert.Contains(mapped, m => Path.GetFileName(m) == "libtorch_cpu.so");
        // Every libtorch library of the process comes from one folder: the one the test project's deps.json names.
        var dirs = mapped.Where(m => !m.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal)).Select(Path.GetDirectoryName).Distinct().ToList();
        Assert.Single(dirs);
        Assert.Contains(dirs[0]!, TorchNative.Status);
    }
}
