using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab;

/// <summary>
/// Cooperative interruption of long work (training loops check it every step). The kernel extension requests it when
/// the kernel cancels a cell (the stop button in VS Code, an interrupt in Jupyter, a timeout or Ctrl+C in
/// <c>vaelab run</c>); the cell then fails with <see cref="OperationCanceledException"/>.
/// </summary>
public static class Interrupts
{
    static CancellationTokenSource _cts = new();
    static string _reason = "interrupted";

    public static CancellationToken Token => _cts.Token;

    public static void Request(string reason = "interrupted")
    {
        _reason = reason;
        _cts.Cancel();
    }

    /// <summary>Clears a past request; hosts call this before running the next cell.</summary>
    public static void Reset()
    {
        if (_cts.IsCancellationRequested) _cts = new CancellationTokenSource();
    }

    public static void ThrowIfRequested()
    {
        if (_cts.IsCancellationRequested) throw new OperationCanceledException($"Stopped: {_reason}.", _cts.Token);
    }
}
