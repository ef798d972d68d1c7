using System.Text;

namespace VaeLab.Hosting;

/// <summary>Console.Out or Console.Error of an exported app: text goes to the terminal and to the running cell's
/// stream output on the page, as a kernel records a cell's stdout and stderr.</summary>
internal sealed class ConsoleTee(TextWriter terminal, Action<string> record) : TextWriter
{
    public override Encoding Encoding => terminal.Encoding;
    public override void Write(char value) { terminal.Write(value); record(value.ToString()); }
    public override void Write(string? value) { if (value is null) return; terminal.Write(value); record(value); }
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
    public override void WriteLine(string? value) => Write((value ?? "") + NewLine);
    public override void Flush() => terminal.Flush();
}
