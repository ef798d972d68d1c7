using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace VaeLab.Runner.Engine;

/// <summary>
/// One notebook's kernel: the .NET Interactive C# kernel hosted in this process, set up as the dotnet-interactive
/// tool (VS Code's Polyglot Notebooks, Jupyter's .net-csharp) and dotnet-repl set up theirs: #r "nuget:" and #i,
/// display(), value sharing, and kernel extensions from packages (interactive-extensions/dotnet). What a cell
/// produces arrives as kernel events and is handed to an <see cref="ICellOutputSink"/>.
/// </summary>
public sealed class KernelSession : IDisposable
{
    readonly CompositeKernel _kernel;
    readonly ExtensionLoader _extensions = new();
    readonly IDisposable _subscription;
    readonly object _gate = new();
    ICellOutputSink? _sink;
    readonly Dictionary<string, DisplayOutput> _displays = new();
    int _displayCounter;

    public KernelSession()
    {
        // The dotnet-interactive tool hosts an F# kernel too, so its FSharp.Core (10.0.0.0) is in the default load
        // context before any cell runs; a package that needs a newer one then fails to load. Load ours (the same
        // version, from the same packages) now, so that cells meet the same conditions here.
        _ = typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly;
        _kernel = new CompositeKernel();
        // As the tool's KernelBuilder: resolved package assemblies become the C# kernel's references.
        var csharp = new CSharpKernel()
            .UseNugetDirective((k, resolved) =>
            {
                k.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();
        _kernel.Add(csharp, ["c#", "C#"]);
        _kernel.DefaultKernelName = csharp.Name;
        _extensions.Attach(_kernel);
        _subscription = _kernel.KernelEvents.Subscribe(new Observer(OnEvent));
    }

    /// <summary>Runs one cell; returns when the kernel reports it done (or cancelled).</summary>
    public async Task<CellResult> ExecuteAsync(string code, ICellOutputSink sink)
    {
        var command = new SubmitCode(code);
        lock (_gate) _sink = sink;
        try
        {
            var result = await _kernel.SendAsync(command);
            var failed = result.Events.OfType<CommandFailed>().FirstOrDefault(f => f.Command == command);
            if (failed is null) return CellResult.Ok;
            // The cause, not its wrappers: a type initializer's or a reflection call's exception names nothing useful.
            var cause = Cause(failed.Exception);
            var ename = cause switch
            {
                null => "Error",
                CodeSubmissionCompilationErrorException => "CompilationError",
                OperationCanceledException => "Interrupted",
                var e => e.GetType().FullName ?? e.GetType().Name,
            };
            // A compilation error's message is its diagnostics; an exception's is its first line, the rest is the traceback.
            var message = cause is { } ex and not CodeSubmissionCompilationErrorException ? ex.Message : failed.Message;
            var traceback = new List<string> { $"{ename}: {message}" };
            if (failed.Exception?.ToString() is { } all && failed.Exception is not CodeSubmissionCompilationErrorException)
                traceback.AddRange(all.Split('\n').Select(l => l.TrimEnd('\r')));
            return CellResult.Fail(ename, message, traceback);
        }
        finally
        {
            lock (_gate) _sink = null;
        }
    }

    /// <summary>The innermost exception behind type-initializer, reflection and aggregate wrappers.</summary>
    internal static Exception? Cause(Exception? e)
    {
        while (e is TypeInitializationException or TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException != null)
            e = e.InnerException;
        return e;
    }

    /// <summary>Asks the kernel to cancel the running cell, as VS Code's stop button does.</summary>
    public Task CancelAsync() => _kernel.SendAsync(new Cancel());

    /// <summary>The value of a C# expression in the kernel, or null when it fails (for the runner's own questions).</summary>
    public async Task<object?> EvaluateAsync(string expression)
    {
        var result = await _kernel.SendAsync(new SubmitCode(expression));
        if (result.Events.OfType<CommandFailed>().Any()) return null;
        return result.Events.OfType<ReturnValueProduced>().LastOrDefault()?.Value;
    }

    void OnEvent(KernelEvent e)
    {
        ICellOutputSink? sink;
        lock (_gate) sink = _sink;
        if (sink is null) return;
        switch (e)
        {
            case StandardOutputValueProduced o:
                sink.Stream("stdout", Text(o));
                break;
            case StandardErrorValueProduced o:
                sink.Stream("stderr", Text(o));
                break;
            case DisplayedValueUpdated u:
                // As Jupyter's clients do, an update replaces the output it names and is dropped when it names none.
                // (In this .NET Interactive version display(x) returns a handle whose id differs from the output's,
                // so display(x).Update(y) changes nothing in Jupyter either; the kernel context's displays, which
                // VaeLab's progress uses, update in place.)
                DisplayOutput? shown;
                lock (_gate) _displays.TryGetValue(u.ValueId ?? "", out shown);
                if (shown is null) break;
                shown.Data = Bundle(u);
                sink.UpdateDisplay(shown);
                break;
            case ReturnValueProduced r when r.Value is not DisplayedValue:
                sink.Result(Add(r));
                break;
            case DisplayedValueProduced d:
                sink.Display(Add(d));
                break;
            case ErrorProduced err:
                sink.Display(new DisplayOutput(NewId(), MimeBundle.Plain(err.Message)));
                break;
        }
    }

    DisplayOutput Add(DisplayEvent e)
    {
        var output = new DisplayOutput(e.ValueId ?? NewId(), Bundle(e));
        if (e.ValueId is { } id) lock (_gate) _displays[id] = output;
        return output;
    }

    string NewId() => $"vaelab-output-{Interlocked.Increment(ref _displayCounter)}";

    static MimeBundle Bundle(DisplayEvent e) =>
        new(e.FormattedValues.Select(v => new KeyValuePair<string, string>(v.MimeType, v.Value)).ToList());

    static string Text(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? e.Value?.ToString() ?? "";

    public void Dispose()
    {
        _subscription.Dispose();
        _kernel.Dispose();
    }

    sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(KernelEvent value) => onNext(value);
    }

    /// <summary>
    /// Loads .NET Interactive kernel extensions from packages that a cell added: after each command, every assembly
    /// in a new package's interactive-extensions/dotnet folder, and its IKernelExtension types, as the
    /// dotnet-interactive tool and dotnet-repl do.
    /// </summary>
    sealed class ExtensionLoader
    {
        readonly Queue<PackageAdded> _added = new();
        readonly HashSet<string> _roots = new(StringComparer.Ordinal);
        readonly HashSet<string> _loaded = new(StringComparer.OrdinalIgnoreCase);

        public void Attach(CompositeKernel kernel)
        {
            kernel.KernelEvents.Subscribe(new Observer(e =>
            {
                if (e is PackageAdded p && p.PackageReference.PackageRoot is { } root)
                    lock (_added) if (_roots.Add(root)) _added.Enqueue(p);
            }));
            kernel.AddMiddleware(async (command, context, next) =>
            {
                await next(command, context);
                while (true)
                {
                    PackageAdded? p;
                    lock (_added) if (!_added.TryDequeue(out p)) break;
                    var dir = new DirectoryInfo(Path.Combine(p.PackageReference.PackageRoot, "interactive-extensions", "dotnet"));
                    if (!dir.Exists) continue;
                    foreach (var dll in dir.GetFiles("*.dll"))
                        await LoadAsync(dll, kernel, context);
                }
            }, "vaelab-extensions");
        }

        async Task LoadAsync(FileInfo dll, Kernel kernel, KernelInvocationContext context)
        {
            if (!_loaded.Add(AssemblyName.GetAssemblyName(dll.FullName).FullName)) return;
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll.FullName);
            var types = assembly.ExportedTypes.Where(t => !t.IsAbstract && !t.IsInterface && typeof(IKernelExtension).IsAssignableFrom(t)).ToArray();
            if (types.Length > 0) KernelInvocationContextExtensions.Display(context, $"Loading extensions from `{assembly.Location}`");
            foreach (var type in types)
            {
                var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                try
                {
                    await extension.OnLoadAsync(kernel);
                    context.Publish(new KernelExtensionLoaded(extension, context.Command));
                }
                catch (Exception e)
                {
                    // As the dotnet-interactive tool's loader: an error output, then the command fails. Its failure
                    // message carries the cause on one line; the cells after it fail only because of it.
                    context.Publish(new ErrorProduced($"Failed to load kernel extension \"{type.Name}\" from assembly {assembly.Location}", context.Command));
                    context.Fail(context.Command, new InvalidOperationException(
                        $"The kernel extension {type.Name} ({assembly.Location}) failed to load: {Cause(e)?.Message}", e));
                }
            }
        }
    }
}
