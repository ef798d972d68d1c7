using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace VaeLab.Runner.Engine;

/// <summary>Thrown when a cell's directive cannot be honoured; the message names the cell and the fix.</summary>
public sealed class DirectiveException(string message) : Exception(message);

/// <summary>
/// Handles the .NET Interactive directives at the top of a C# cell before Roslyn sees it:
/// <c>#r "nuget: Name, Version"</c> (checked against <see cref="HostedPackages"/>), <c>#r "path.dll"</c> (relative to the
/// notebook; assemblies the runner already hosts are used as they are), <c>#!csharp</c> (accepted), and every other
/// magic or kernel (rejected). Handled lines become blank so that diagnostics keep their line numbers.
/// </summary>
public static partial class Directives
{
    [GeneratedRegex(@"^\s*#r\s+""nuget:\s*(?<name>[^,""\s]+)\s*(,\s*(?<version>[^""\s]+)\s*)?""\s*$")]
    private static partial Regex NugetReference();

    [GeneratedRegex(@"^\s*#r\s+""(?<path>[^""]+)""\s*$")]
    private static partial Regex PathReference();

    static readonly HashSet<string> CSharpKernelNames = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#", "cs" };

    /// <summary>True for kernel names that mean C# ("csharp", "C#").</summary>
    public static bool IsCSharpKernel(string? name) => name == null || CSharpKernelNames.Contains(name);

    /// <summary>Rewrites <paramref name="code"/>; returns the code for Roslyn and the dlls it must reference.</summary>
    /// <param name="cellName">How errors name the cell, e.g. "cell 3".</param>
    /// <param name="baseDirectory">The notebook's folder; relative #r paths resolve against it.</param>
    public static (string Code, IReadOnlyList<string> References) Prepare(string code, string cellName, string baseDirectory)
    {
        var lines = code.Replace("\r\n", "\n").Split('\n');
        var references = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                var magic = line[2..].Split(' ', 2)[0];
                if (!CSharpKernelNames.Contains(magic))
                    throw new DirectiveException($"{cellName}, line {i + 1}: '#!{magic}' is not supported by vaelab: it runs C# code only, without .NET Interactive magic commands or other kernels (#!set, #!value, #!fsharp, #!pwsh, ...). Move the work into C# code.");
                lines[i] = "";
            }
            else if (line.StartsWith("#i ", StringComparison.Ordinal) || line.StartsWith("#i\"", StringComparison.Ordinal))
            {
                throw new DirectiveException($"{cellName}, line {i + 1}: '#i' (package sources) is not supported by vaelab; it hosts {HostedPackages.Describe()} and needs no package source.");
            }
            else if (line.StartsWith("#r", StringComparison.Ordinal))
            {
                var nuget = NugetReference().Match(line);
                if (nuget.Success)
                {
                    var version = nuget.Groups["version"].Success ? nuget.Groups["version"].Value : null;
                    var problem = HostedPackages.Check(nuget.Groups["name"].Value, version);
                    if (problem != null) throw new DirectiveException($"{cellName}, line {i + 1}: {problem}");
                    lines[i] = "";
                    continue;
                }
                if (line.Contains("nuget:", StringComparison.OrdinalIgnoreCase))
                    throw new DirectiveException($"{cellName}, line {i + 1}: cannot read '{line}'. Write it as #r \"nuget: Name, Version\".");
                var path = PathReference().Match(line);
                if (!path.Success)
                    throw new DirectiveException($"{cellName}, line {i + 1}: cannot read '{line}'. Write #r \"path/to/Library.dll\" or #r \"nuget: Name, Version\".");
                var resolved = ResolvePath(path.Groups["path"].Value, cellName, i + 1, baseDirectory);
                if (resolved != null) references.Add(resolved);
                lines[i] = "";
            }
        }
        return (string.Join("\n", lines), references);
    }

    /// <summary>Null when the runner already hosts the assembly (one copy keeps type identity), else the full path.</summary>
    static string? ResolvePath(string path, string cellName, int line, string baseDirectory)
    {
        var full = Path.GetFullPath(Path.Combine(baseDirectory, path));
        string simpleName = Path.GetFileNameWithoutExtension(full);
        if (File.Exists(full))
        {
            try { simpleName = AssemblyName.GetAssemblyName(full).Name ?? simpleName; }
            catch (BadImageFormatException) { throw new DirectiveException($"{cellName}, line {line}: '{full}' is not a .NET assembly."); }
        }
        if (ScriptSession.IsHostedAssembly(simpleName)) return null;
        if (!File.Exists(full))
            throw new DirectiveException($"{cellName}, line {line}: #r \"{path}\" resolves to '{full}', which does not exist (paths are relative to the notebook's folder). Build it first or fix the path.");
        return full;
    }
}
