namespace VaeLab
{
    /// <summary>
    /// What the runner and the library agree on, in one file that both compile (linked into VaeLab.Runner, internal
    /// there, as AtomicFile is): the profile names, the rule that a smoke run's claims are not judged, the notebooks'
    /// common using directives, and where the repository is.
    /// </summary>
#if VAELAB_RUNNER
    internal
#else
    public
#endif
    static class RunContract
    {
        public const string Smoke = "smoke", Default = "default", Paper = "paper";

        /// <summary>The profiles, fastest first.</summary>
        public static IReadOnlyList<string> Profiles { get; } = [Smoke, Default, Paper];

        /// <summary>Claims are recorded but not judged under smoke: CI checks that every cell runs, not what a run
        /// of seconds shows.</summary>
        public static bool JudgesClaims(string profile) => profile != Smoke;

        /// <summary>
        /// The using directives every notebook needs, imported by the kernel extension when <c>#r "nuget: VaeLab"</c>
        /// loads it (and written at the top of an exported app), so a setup cell names only its experiment's namespace.
        /// </summary>
        public static IReadOnlyList<string> NotebookUsings { get; } =
        [
            "using TorchSharp;", "using static TorchSharp.torch;", "using VaeLab;", "using VaeLab.Data;", "using VaeLab.Losses;",
            "using VaeLab.Metrics;", "using VaeLab.Nn;", "using VaeLab.Plots;", "using VaeLab.Reporting;", "using VaeLab.Training;",
        ];

        /// <summary>The file that marks the repository's root.</summary>
        public const string SolutionFileName = "VaeLab.sln";

        /// <summary>The nearest folder holding <see cref="SolutionFileName"/> above the current directory, else above
        /// the app's base directory; null if neither has one.</summary>
        public static string? FindRepositoryRoot()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, SolutionFileName))) return dir.FullName;
            return null;
        }
    }
}

namespace VaeLab.Reporting
{
    /// <summary>
    /// A claim's outcome. NotJudged: recorded under the smoke profile, or where its measure means nothing (its note says
    /// why). Over several seeds: Passed where the bound holds for every seed, Failed where it holds for none, Mixed else.
    /// Public in both assemblies: the runner's records carry it too.
    /// </summary>
    public enum Verdict { Passed, Failed, NotJudged, Mixed }
}
