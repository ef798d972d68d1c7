using System.Text;

namespace VaeLab.Runner.Engine;

/// <summary>
/// Sends Console.Out/Console.Error to the running cell (as stdout/stderr streams) while a session executes, and to
/// the real console otherwise. Installed once per process; <see cref="OriginalOut"/> is the real console.
/// </summary>
public static class ConsoleRouter
{
    static readonly object Gate = new();
    static bool _installed;
    static TextWriter _originalOut = Console.Out, _originalError = Console.Error;
    static ICellOutputSink? _target;

    public static TextWriter OriginalOut => _originalOut;
    public static TextWriter OriginalError => _originalError;

    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            _originalOut = Console.Out;
            _originalError = Console.Error;
            Console.SetOut(TextWriter.Synchronized(new RoutedWriter("stdout", _originalOut)));
            Console.SetError(TextWriter.Synchronized(new RoutedWriter("stderr", _originalError)));
            _installed = true;
        }
    }

    /// <summary>Routes console text to <paramref name="sink"/> until the returned scope is disposed.</summary>
    public static IDisposable RouteTo(ICellOutputSink sink)
    {
        Install();
        var previous = _target;
        _target = sink;
        // Restores only while the target is still this sink (a late, abandoned cell must not redirect a later one).
        return new Scope(() => Interlocked.CompareExchange(ref _target, previous, sink));
    }

    sealed class Scope(Action undo) : IDisposable
    {
        int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) undo(); }
    }

    sealed class RoutedWriter(string stream, TextWriter fallback) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Write(value.ToString());
        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            var t = Volatile.Read(ref _target);
            if (t != null) t.Stream(stream, value);
            else fallback.Write(value);
        }
        public override void WriteLine(string? value) => Write((value ?? "") + "\n");
        public override void WriteLine() => Write("\n");
        public override void Flush() { if (Volatile.Read(ref _target) == null) fallback.Flush(); }
    }
}
