using System.Reflection;

namespace VaeLab.Runner.Engine;

/// <summary>
/// The NuGet packages the runner hosts, at the central versions of Directory.Packages.props (compiled in as
/// assembly metadata). A notebook's <c>#r "nuget: ..."</c> line must name one of them at exactly that version.
/// </summary>
public static class HostedPackages
{
    static readonly Lazy<IReadOnlyDictionary<string, string>> Versions = new(Load);

    /// <summary>Package name (case-insensitive) → the version the runner hosts.</summary>
    public static IReadOnlyDictionary<string, string> All => Versions.Value;

    static IReadOnlyDictionary<string, string> Load()
    {
        var meta = typeof(HostedPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith("HostedVersion:", StringComparison.Ordinal))
            .ToDictionary(a => a.Key["HostedVersion:".Length..], a => a.Value ?? "");
        string torch = meta["TorchSharp"], plotly = meta["Plotly.NET"];
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["TorchSharp"] = torch,
            // The combination package VS Code users reference (managed TorchSharp + CPU libtorch).
            ["TorchSharp-cpu"] = torch,
            ["Plotly.NET"] = plotly,
            // Its formatter is replaced by the runner's own chart formatter.
            ["Plotly.NET.Interactive"] = plotly,
        };
    }

    /// <summary>Human-readable list, e.g. for error messages.</summary>
    public static string Describe() => string.Join(", ", All.Select(kv => $"{kv.Key} {kv.Value}"));

    /// <summary>Null when the reference is hosted, else the reason it is not.</summary>
    public static string? Check(string name, string? version)
    {
        if (!All.TryGetValue(name, out var hosted))
            return $"package '{name}' is not hosted by vaelab. Hosted packages: {Describe()}. Move the code that needs it into src/VaeLab, or add the package to the runner.";
        if (version != null && version != hosted)
            return $"package '{name}' is hosted at version {hosted}, but the cell asks for {version}. Change the line to #r \"nuget: {name}, {hosted}\" (the central version in Directory.Packages.props).";
        return null;
    }
}
