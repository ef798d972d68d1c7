using VaeLab.Reporting;

namespace VaeLab.Hosting;

/// <summary>The kernel's <c>x.Display()</c> for exported apps (the exported file has <c>using VaeLab.Hosting;</c>):
/// shows the value through the app's display host, as <see cref="NotebookApp.display"/> does.</summary>
public static class DisplayExtensions
{
    public static IDisplayHandle Display(this object value) => DisplayHost.Current.Display(value);
}
