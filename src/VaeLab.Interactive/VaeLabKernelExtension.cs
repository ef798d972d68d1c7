using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using VaeLab.Plots;
using VaeLab.Reporting;

namespace VaeLab.Interactive;

/// <summary>
/// Loaded by the kernel after <c>#r "nuget: VaeLab, ..."</c>. It adapts the library to the kernel: HTML formatters for
/// VaeLab's display types, displays and in-place updates through the kernel, the kernel's cancellation (the stop
/// button) as <see cref="Interrupts"/>, freed memory given back before each cell, and libtorch and
/// TorchSharp's native glue loaded by path from the referenced packages (<see cref="TorchNative"/>).
/// </summary>
public sealed class VaeLabKernelExtension : IKernelExtension
{
    public Task OnLoadAsync(Kernel kernel)
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
        if (KernelInvocationContext.Current is { } context)
            KernelInvocationContextExtensions.Display(context,
            $"VaeLab {typeof(Lab).Assembly.GetName().Version?.ToString(3)} extension loaded: formatters, progress, interrupts; " +
            (loaded ? $"TorchSharp native: {torch}" : $"TorchSharp native NOT loaded: {torch}"), "text/plain");
        return Task.CompletedTask;
    }
}
