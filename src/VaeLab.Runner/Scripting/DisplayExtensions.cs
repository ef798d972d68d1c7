using VaeLab.Runner.Engine;

namespace VaeLab.Runner.Scripting;

/// <summary><c>value.Display()</c> in a cell, as in the .NET Interactive C# kernel (imported by default).</summary>
public static class DisplayExtensions
{
    public static DisplayHandle Display(this object? value) =>
        (ScriptSession.Active ?? throw new InvalidOperationException("Display() works inside a notebook cell run by vaelab."))
        .Display(value);
}
