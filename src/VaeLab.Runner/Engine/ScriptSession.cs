using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using VaeLab;
using VaeLab.Reporting;

namespace VaeLab.Runner.Engine;

/// <summary>
/// One C# script state that cells run in, in order, with the semantics of the .NET Interactive C# kernel: the first
/// cell with CSharpScript, the rest continuing its state; default imports; <c>display(x)</c> / <c>x.Display()</c>
/// returning a handle whose <c>Update</c> replaces the output in place; a trailing expression is displayed; console
/// text becomes stdout/stderr streams; directives are handled by <see cref="Directives"/>. The notebook runner and
/// the Jupyter kernel both drive a session through <see cref="ExecuteAsync"/>.
/// </summary>
public sealed class ScriptSession : IDisposable
{
    /// <summary>The imports every cell starts with (those of the .NET Interactive C# kernel, plus display helpers).</summary>
    public static readonly ImmutableArray<string> DefaultImports =
    [
        "System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq",
        typeof(Scripting.DisplayExtensions).Namespace!,
    ];

    readonly SemaphoreSlim _gate = new(1, 1);
    readonly ScriptGlobals _globals;
    readonly SessionDisplayHost _host;
    ScriptOptions _options;
    ScriptState<object?>? _state;
    volatile ICellOutputSink? _sink;
    int _displayCounter;

    /// <param name="baseDirectory">Where relative #r and #load paths resolve (the notebook's folder); default: the current directory.</param>
    public ScriptSession(string? baseDirectory = null)
    {
        BaseDirectory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        _globals = new ScriptGlobals(this);
        _host = new SessionDisplayHost(this);
        _options = ScriptOptions.Default
            .WithReferences(HostReferences.Value)
            .WithImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(BaseDirectory))
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, BaseDirectory))
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithAllowUnsafe(true)
            .WithEmitDebugInformation(false);
    }

    public string BaseDirectory { get; }

    /// <summary>Number of cells executed (successful or not).</summary>
    public int ExecutionCount { get; private set; }

    /// <summary>The session whose cell is running (display helpers and console text go there).</summary>
    public static ScriptSession? Active { get; private set; }

    /// <summary>The last submission that compiled (its Previous chain holds the earlier ones); the kernel completes code against it.</summary>
    public Script? LastScript => _state?.Script;

    /// <summary>Variables defined so far (name → value), latest definition last.</summary>
    public IReadOnlyList<(string Name, Type Type, object? Value)> Variables =>
        _state?.Variables.Select(v => (v.Name, v.Type, (object?)v.Value)).ToArray() ?? [];

    /// <summary>
    /// Runs one cell. Outputs go to <paramref name="sink"/> as they happen; the result says whether it failed
    /// (compile errors, directive errors and exceptions are all errors in Jupyter's shape, never thrown).
    /// </summary>
    /// <param name="cellName">How messages name the cell, e.g. "cell 3".</param>
    public async Task<CellResult> ExecuteAsync(string code, ICellOutputSink sink, string? cellName = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        // Give back what earlier cells freed before this one allocates (here rather than after a cell, so that no
        // reply waits for it).
        NativeMemoryTuning.ReleaseFreeMemory();
        var previousHost = DisplayHost.Current;
        var previousActive = Active;
        try
        {
            ExecutionCount++;
            _sink = sink;
            Active = this;
            DisplayHost.Current = _host;
            using var console = ConsoleRouter.RouteTo(sink);

            string prepared;
            try
            {
                var (text, references) = Directives.Prepare(code, cellName ?? $"cell {ExecutionCount}", BaseDirectory);
                if (references.Count > 0)
                    _options = _options.AddReferences(references.Select(p => MetadataReference.CreateFromFile(p)));
                prepared = text;
            }
            catch (DirectiveException e)
            {
                return CellResult.Fail("DirectiveError", e.Message);
            }
            if (string.IsNullOrWhiteSpace(prepared)) return CellResult.Ok;

            ScriptState<object?> state;
            try
            {
                state = _state == null
                    ? await CSharpScript.Create<object?>(prepared, _options, typeof(ScriptGlobals)).RunAsync(_globals, _ => true, cancellationToken)
                    : await _state.ContinueWithAsync<object?>(prepared, _options, _ => true, cancellationToken);
            }
            catch (CompilationErrorException e)
            {
                var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
                return CellResult.Fail("CompilationError", string.Join("\n", errors), errors);
            }
            _state = state;
            if (state.Exception != null) return Failure(state.Exception);

            if (TrailingExpressionIsDisplayed(state, prepared))
                _sink?.Result(new DisplayOutput($"vaelab-{Interlocked.Increment(ref _displayCounter)}", Formatters.Format(state.ReturnValue)));
            return CellResult.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failure(e);
        }
        finally
        {
            // Only undo what is still ours: an abandoned cell that ends late must not take over a later cell's host.
            if (ReferenceEquals(DisplayHost.Current, _host)) DisplayHost.Current = previousHost;
            if (ReferenceEquals(Active, this)) Active = previousActive;
            _gate.Release();
        }
    }

    static CellResult Failure(Exception e)
    {
        while ((e is TargetInvocationException || e is AggregateException { InnerExceptions.Count: 1 }) && e.InnerException != null)
            e = e.InnerException;
        var name = e.GetType().FullName ?? e.GetType().Name;
        return CellResult.Fail(name, e.Message, e.ToString().Replace("\r\n", "\n").Split('\n'));
    }

    /// <summary>A last expression statement without a semicolon whose type is not void is displayed.</summary>
    static bool TrailingExpressionIsDisplayed(ScriptState<object?> state, string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest));
        if (tree.GetCompilationUnitRoot().Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } })
            return false;
        if (state.ReturnValue != null) return true;
        // null: either a void call or a null value; only the latter is shown (as <null>).
        var compilation = state.Script.GetCompilation();
        var compiledTree = compilation.SyntaxTrees.Last();
        if (compiledTree.GetCompilationUnitRoot().Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax last })
        {
            var type = compilation.GetSemanticModel(compiledTree).GetTypeInfo(last.Expression).Type;
            return type != null && type.SpecialType != SpecialType.System_Void;
        }
        return false;
    }

    static readonly Lazy<Task> Warm = new(() => Task.Run(async () =>
    {
        using var s = new ScriptSession();
        await s.ExecuteAsync("var warm = 1;\nwarm", new NullSink());
    }));

    /// <summary>
    /// Loads the compiler and the reference metadata once per process (a few seconds), so that per-cell timeouts and
    /// timings measure the cell rather than the compiler's start-up.
    /// </summary>
    public static Task WarmUpAsync() => Warm.Value;

    sealed class NullSink : ICellOutputSink
    {
        public void Stream(string name, string text) { }
        public void Display(DisplayOutput output) { }
        public void UpdateDisplay(DisplayOutput output) { }
    }

    /// <summary>Shows a value as a new output of the running cell; the handle updates it in place.</summary>
    public DisplayHandle Display(object? value)
    {
        var output = new DisplayOutput($"vaelab-{Interlocked.Increment(ref _displayCounter)}", Formatters.Format(value));
        _sink?.Display(output);
        return new DisplayHandle(this, output);
    }

    internal void Update(DisplayOutput output, object? value)
    {
        output.Data = Formatters.Format(value);
        _sink?.UpdateDisplay(output);
    }

    /// <summary>Whether an assembly of this simple name is already loaded by the host (so #r of a copy reuses it).</summary>
    public static bool IsHostedAssembly(string simpleName) =>
        HostAssemblyNames.Value.Contains(simpleName) ||
        AppDomain.CurrentDomain.GetAssemblies().Any(a => !a.IsDynamic && string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));

    static readonly Lazy<HashSet<string>> HostAssemblyNames = new(() =>
        new HashSet<string>(RootAssemblies().Select(a => a.GetName().Name!), StringComparer.OrdinalIgnoreCase));

    static IEnumerable<Assembly> RootAssemblies() =>
    [
        typeof(Lab).Assembly, typeof(TorchSharp.torch).Assembly, typeof(Plotly.NET.GenericChart).Assembly,
        typeof(Microsoft.FSharp.Core.Unit).Assembly, typeof(ScriptSession).Assembly,
    ];

    /// <summary>The framework plus the hosted libraries and everything they reference (metadata loaded once per process).</summary>
    static readonly Lazy<ImmutableArray<MetadataReference>> HostReferences = new(() =>
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var p in tpa.Where(p => Path.GetDirectoryName(p) == frameworkDir))
            paths.TryAdd(Path.GetFileNameWithoutExtension(p), p);
        var queue = new Queue<Assembly>(RootAssemblies());
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            var name = a.GetName().Name!;
            if (a.IsDynamic || string.IsNullOrEmpty(a.Location) || !visited.Add(name)) continue;
            paths.TryAdd(name, a.Location);
            foreach (var r in a.GetReferencedAssemblies())
            {
                if (paths.ContainsKey(r.Name!) || visited.Contains(r.Name!)) continue;
                try { queue.Enqueue(Assembly.Load(r)); } catch (FileNotFoundException) { } catch (FileLoadException) { }
            }
        }
        return paths.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public void Dispose() => _gate.Dispose();

    sealed class SessionDisplayHost(ScriptSession session) : IDisplayHost
    {
        public IDisplayHandle Display(object value) => session.Display(value);
        public void Progress(string line) => session._sink?.Progress(line);
        public void Warn(string message)
        {
            session._sink?.Stream("stderr", $"warning: {message}\n");
            session._sink?.Progress($"warning: {message}");
        }
    }
}

/// <summary>A displayed output that can be replaced in place.</summary>
public sealed class DisplayHandle : IDisplayHandle
{
    readonly ScriptSession _session;
    readonly DisplayOutput _output;
    internal DisplayHandle(ScriptSession session, DisplayOutput output) { _session = session; _output = output; }
    public string DisplayId => _output.DisplayId;
    /// <summary>Replaces the displayed value (the output stays where it is).</summary>
    public void Update(object value) => _session.Update(_output, value);
}

/// <summary>What cells see as globals: <c>display(value)</c>, as in the .NET Interactive C# kernel.</summary>
public sealed class ScriptGlobals
{
    readonly ScriptSession _session;
    internal ScriptGlobals(ScriptSession session) => _session = session;
#pragma warning disable IDE1006 // the kernel's name is lower-case
    public DisplayHandle display(object? value) => _session.Display(value);
#pragma warning restore IDE1006
}
