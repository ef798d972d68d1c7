using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using VaeLab.Reporting;

namespace VaeLab.Interactive;

/// <summary>
/// Library displays go to the cell that is running, and updates replace them in place (progress bars). Console
/// progress lines are not written: the display already shows them, and hosts such as <c>vaelab run</c> print the
/// updates' text themselves. Warnings go to the cell's stderr.
/// </summary>
sealed class KernelDisplayHost : IDisplayHost
{
    sealed class Handle(DisplayedValue? shown) : IDisplayHandle
    {
        public void Update(object value) => shown?.Update(value);
    }

    public IDisplayHandle Display(object value)
    {
        var context = KernelInvocationContext.Current;
        if (context is null) { Console.WriteLine(value); return new Handle(null); }
        return new Handle(KernelInvocationContextExtensions.Display(context, value));
    }

    public void Progress(string line) { }

    public void Warn(string message) => Console.Error.WriteLine("warning: " + message);
}
