using System.Runtime.InteropServices;

namespace VaeLab;

/// <summary>
/// libtorch read an object that TorchSharp had let the garbage collector free mid-call (environment.md, "TorchSharp and
/// the garbage collector"): an upstream race, not a fault in the data, the model or the parameters.
/// </summary>
public sealed class TorchSharpRaceException : Exception
{
    public TorchSharpRaceException(string where, Exception inner)
        : base($"{where}: libtorch failed with \"{FirstLine(inner.Message)}\". That is TorchSharp's race with the garbage collector " +
               "(a number or generator freed while libtorch still read it; environment.md, \"TorchSharp and the garbage collector\"), " +
               "not a problem with the data, the model or the parameters. Run the cell again: finished runs come back from the checkpoint cache.", inner)
    { }

    static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>True for the errors libtorch raises when it reads a freed <c>c10::Scalar</c>.</summary>
    public static bool Matches(Exception e) =>
        e is ExternalException && (e.Message.Contains("c10/core/Scalar.h", StringComparison.Ordinal) ||
                                   e.Message.Contains("Unknown scalar type", StringComparison.Ordinal));
}
