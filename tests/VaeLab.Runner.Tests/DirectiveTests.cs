using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Tests;

public class DirectiveTests
{
    static string Here => Repo.Fixture("");

    [Fact]
    public void Hosted_packages_at_the_central_versions_and_csharp_magic_are_accepted()
    {
        var code = "#!csharp\n#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"nuget: TorchSharp, 0.107.0\"\n#r \"nuget: Plotly.NET, 6.0.0\"\n#r \"nuget: Plotly.NET.Interactive, 6.0.0\"\nvar x = 1;";
        var (prepared, refs) = Directives.Prepare(code, "cell 1", Here);
        Assert.Equal("\n\n\n\n\nvar x = 1;", prepared); // lines kept so diagnostics keep their line numbers
        Assert.Empty(refs);
        Assert.Equal("0.107.0", HostedPackages.All["TorchSharp"]);
        Assert.Equal("6.0.0", HostedPackages.All["Plotly.NET"]);
    }

    [Fact]
    public void A_different_version_is_an_error_naming_the_cell_and_the_hosted_version()
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Prepare("#r \"nuget: TorchSharp, 0.105.0\"", "cell 4", Here));
        Assert.Contains("cell 4", e.Message);
        Assert.Contains("0.107.0", e.Message);
        Assert.Contains("0.105.0", e.Message);
    }

    [Fact]
    public void An_unknown_package_is_an_error_listing_what_is_hosted()
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Prepare("#r \"nuget: Newtonsoft.Json, 13.0.3\"", "cell 2", Here));
        Assert.Contains("cell 2", e.Message);
        Assert.Contains("Newtonsoft.Json", e.Message);
        Assert.Contains("TorchSharp 0.107.0", e.Message);
    }

    [Theory]
    [InlineData("#!set --name x --value 1", "#!set")]
    [InlineData("#!fsharp\nlet x = 1", "#!fsharp")]
    [InlineData("#!value --name v", "#!value")]
    [InlineData("#!time", "#!time")]
    public void Other_kernels_and_magics_are_unsupported(string code, string named)
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Prepare(code, "cell 3", Here));
        Assert.Contains(named, e.Message);
        Assert.Contains("not supported", e.Message);
        Assert.Contains("cell 3", e.Message);
    }

    [Fact]
    public void A_dll_the_runner_hosts_is_not_loaded_twice_and_need_not_exist()
    {
        var (_, refs) = Directives.Prepare("#r \"../src/VaeLab/bin/Release/net8.0/VaeLab.dll\"", "cell 1", Here);
        Assert.Empty(refs);
    }

    [Fact]
    public async Task A_dll_path_resolves_relative_to_the_notebook_and_loads()
    {
        var dir = Directory.CreateTempSubdirectory("vaelab-dll-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "lib"));
        var name = "Tiny" + Guid.NewGuid().ToString("N")[..8];
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(name,
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("namespace Tiny { public static class Hello { public static string Say() => \"hello from tiny\"; } }")],
            [Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        using (var file = File.Create(Path.Combine(dir, "lib", name + ".dll")))
            Assert.True(compilation.Emit(file).Success);

        var (_, refs) = Directives.Prepare($"#r \"lib/{name}.dll\"", "cell 1", dir);
        Assert.Equal([Path.Combine(dir, "lib", name + ".dll")], refs);

        using var session = new ScriptSession(dir);
        var sink = new RecordingSink();
        var r = await session.ExecuteAsync($"#r \"lib/{name}.dll\"\nTiny.Hello.Say()", sink);
        Assert.True(r.Succeeded, r.Error?.EValue);
        Assert.Equal("hello from tiny", sink.Displays.Single().Data["text/plain"]);

        var missing = Assert.Throws<DirectiveException>(() => Directives.Prepare("#r \"lib/Nothing.Here.dll\"", "cell 5", dir));
        Assert.Contains(Path.Combine(dir, "lib", "Nothing.Here.dll"), missing.Message);
        Assert.Contains("cell 5", missing.Message);
    }
}
