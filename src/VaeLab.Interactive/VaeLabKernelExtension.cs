using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using VaeLab.Plots;
using VaeLab.Reporting;

namespace VaeLab.Interactive;

/// <summary>
/// Loaded by the kernel after <c>#r "nuget: VaeLab, ..."</c>. It adapts the library to the kernel: HTML formatters for
/// VaeLab's display types, displays and in-place updates through the kernel, the kernel's cancellation (the stop
/// button) as <see cref="Interrupts"/>, freed memory given back before each cell, libtorch and TorchSharp's native
/// glue loaded by path from the referenced packages (<see cref="TorchNative"/>), and the notebooks' common using
/// directives (<see cref="RunContract.NotebookUsings"/>).
/// </summary>
public sealed class VaeLabKernelExtension : IKernelExtension
{
    public async Task OnLoadAsync(Kernel kernel)
    {
        PlotlyHtml.BeginSession();
        RunLog.Begin();
        KernelFormatters.Register();
        DisplayHost.Current = new KernelDisplayHost();
        kernel.AddMiddleware(async (command, context, next) =>
        {
            if (command is not SubmitCode || command.Parent is not null) { await next(command, context); return; }
            Interrupts.Reset();
            NativeMemoryTuning.ReleaseFreeMemory();  // so each cell starts from what the notebook holds
            using var _ = context.CancellationToken.Register(() => Interrupts.Request("interrupted by the kernel"));
            await next(command, context);
        }, "VaeLab");

        // Reported, not thrown: the formatters stay useful, and Lab.Setup fails the setup cell with the same message.
        var loaded = TorchNative.TryEnsureLoaded(out var torch);

        // The common namespaces, submitted as a cell of their own before the rest of the setup cell runs: the setup
        // cell then names only its experiment's namespace. A child of the #r command, so it runs now, not queued.
        var imported = false;
        var csharp = kernel.KernelInfo.LanguageName == "C#" ? kernel
            : (kernel.RootKernel as CompositeKernel)?.ChildKernels.FirstOrDefault(k => k.KernelInfo.LanguageName == "C#");
        if (csharp is not null)
        {
            var submit = new SubmitCode(string.Join("\n", RunContract.NotebookUsings), csharp.Name);
            if (KernelInvocationContext.Current?.Command is { } parent) submit.SetParent(parent);
            var result = await kernel.RootKernel.SendAsync(submit);
            imported = !result.Events.OfType<CommandFailed>().Any();
        }

        if (KernelInvocationContext.Current is { } context)
            KernelInvocationContextExtensions.Display(context,
            $"VaeLab {typeof(Lab).Assembly.GetName().Version?.ToString(3)} extension loaded: formatters, progress, interrupts" +
            (imported ? $", {RunContract.NotebookUsings.Count} using directives (TorchSharp, VaeLab's shared namespaces)"
                : $"; the common using directives were NOT imported (not a C# kernel, or the submission failed): add them to the setup cell, " +
                  $"{string.Join(" ", RunContract.NotebookUsings)}") + "; " +
            (loaded ? $"TorchSharp native: {torch}" : $"TorchSharp native NOT loaded: {torch}"), "text/plain");
    }
}
