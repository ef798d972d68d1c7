"""Writes the fixture notebooks in the shape VS Code Polyglot Notebooks saves (run: python3 make_fixtures.py)."""
import json, os

META = {
    "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
    "language_info": {"name": "polyglot-notebook"},
    "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}},
}
# As the notebooks' setup cells: VaeLab's kernel extension imports TorchSharp and VaeLab's shared namespaces.
SETUP = '''#!csharp
#r "nuget: TorchSharp-cpu, 0.107.0"
#r "nuget: VaeLab, 0.1.0"'''


def lines(src):
    out = src.split("\n")
    return [l + "\n" for l in out[:-1]] + [out[-1]]


def code(src, tags=None, kernel="csharp"):
    md = {"polyglot_notebook": {"kernelName": kernel}}
    if tags:
        md["tags"] = tags
    return {"cell_type": "code", "execution_count": None, "metadata": md, "outputs": [], "source": lines(src)}


def md(src):
    return {"cell_type": "markdown", "metadata": {}, "source": lines(src)}


def write(name, cells, meta=META, minor=4, ids=True):
    for i, c in enumerate(cells):
        if ids:
            c["id"] = f"{name.split('.')[0][:20]}-{i}"
    nb = {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": minor}
    with open(name, "w") as f:
        json.dump(nb, f, indent=1)
        f.write("\n")


os.chdir(os.path.dirname(os.path.abspath(__file__)))

write("outputs.ipynb", [
    md("# Outputs\n\nEvery kind of output: *markdown*, a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
    code(SETUP),
    code('Console.WriteLine("line one");\nConsole.Write("line ");\nConsole.WriteLine("two");'),
    code('var answer = 6 * 7;\nanswer'),
    code('"a string"'),
    code('var handle = display("first");\nhandle.Update("second");\nhandle.Update("third");'),
    code('torch.ones(2, 3)'),
    code('var claims = new ClaimSet("demo", "default");\nclaims.Check("two is small", "2", 2, Bound.LessThan(3));\nclaims'),
    code('new { Name = "point", X = 1.5 }.Display();\nnew List<int> { 1, 2, 3 }'),
    code('Console.Error.WriteLine("to stderr");\nConsole.WriteLine("after")'),
    code('var t = new System.Text.StringBuilder();\nt.Append("x");'),
])

write("chart.ipynb", [
    code(SETUP),
    code('static Figure Line(double[] x, double[] y) => Fig.Chart(new[] { Fig.Scatter(x, y, "line", "lines") }, ("title.text", "a line"));\nLine(new[] { 0.0, 1, 2 }, new[] { 0.0, 1, 4 })'),
    code('Line(new[] { 0.0, 1 }, new[] { 1.0, 0 }).Display();'),
])

# Plotly.NET 6.0.0 needs FSharp.Core 10.1; the .NET Interactive kernel holds 10.0: this cell fails in VS Code, and must fail in vaelab run.
write("fsharp-core.ipynb", [
    code('#r "nuget: Plotly.NET, 6.0.0"'),
    code('var trace = new Plotly.NET.Trace("scatter");\ntrace.SetProperty("x", new[] { 1.0, 2.0 });\ntrace'),
])

write("parameters.ipynb", [
    code(SETUP),
    code('var profile = "default";\nint? epochs = null;\ndouble lr = 0.001;\nbool fast = false;\nvar name = "x";\nvar steps = 10;', tags=["parameters"]),
    code('Console.WriteLine($"{profile}|{epochs ?? 7}|{lr}|{fast}|{name}|{steps}|{steps.GetType().Name}");'),
])

write("error.ipynb", [
    code('Console.WriteLine("before");'),
    code('int Divide(int a, int b) => a / b;\nDivide(1, 0)'),
    code('Console.WriteLine("never");'),
])

write("compile-error.ipynb", [
    code('var x = undefinedName + 1;'),
    code('Console.WriteLine("never");'),
])

write("progress.ipynb", [
    code(SETUP),
    code('var p = new TrainingProgress("toy", 20);\nfor (int i = 1; i <= 20; i++) { Interrupts.ThrowIfRequested(); p.Report(i, new Dictionary<string, double> { ["loss"] = 1.0 / i }); }\np.Complete();'),
])

write("claims.ipynb", [
    code(SETUP),
    code('var profile = "default";', tags=["parameters"]),
    code('var claims = new ClaimSet("Toy claims", profile);\nclaims.Check("pi is about 3.14", "pi", Math.PI, Bound.Between(3.14, 3.15));\nclaims.Check("e is below 2", "e", Math.E, Bound.LessThan(2), "does not hold: e = 2.718");\nclaims.Check("a draw is below 0.5", "u", new[] { (0, 0.25), (1, 0.75), (2, 0.125) }, Bound.LessThan(0.5));\nvar metrics = new MetricSet();\nmetrics.Record("pi", Math.PI, "rad");\nRunLog.Current.RecordDataset(new DatasetUse("mnist", "fashion-mnist", "/usr/share/datasets/fashion-mnist"));\nRunLog.Current.Warn("MNIST is not available offline; used Fashion-MNIST");\nclaims'),
])

write("unsupported-magic.ipynb", [
    code('Console.WriteLine("ran");'),
    code('#!no-such-magic --name x'),
])

write("unsupported-kernel.ipynb", [
    code('let x = 1', kernel="fsharp"),
])

write("unknown-package.ipynb", [
    code('#r "nuget: VaeLab.NoSuchPackage, 1.0.0"'),
])

write("missing-dll.ipynb", [
    code('#r "lib/DoesNotExist.dll"'),
])

write("timeout.ipynb", [
    code(SETUP + '\nConsole.WriteLine("start");'),
    code('while (true) { VaeLab.Interrupts.ThrowIfRequested(); System.Threading.Thread.Sleep(10); }'),
    code('Console.WriteLine("never");'),
])

write("hang.ipynb", [
    code('System.Threading.Thread.Sleep(15000); // ignores interrupt requests'),
    code('Console.WriteLine("never");'),
])

write("math.ipynb", [
    md("Inline $\\mathcal N(0, 5^2 I)$ and a display:\n\n$$\\sum_{i=1}^n x_i^2$$"),
    code('1 + 1'),
])

write("memory.ipynb", [
    code('var block = new byte[300_000_000];\nfor (int i = 0; i < block.Length; i += 4096) block[i] = 1;  // touch every page\nblock.Length'),
])

write("no-ids.ipynb", [md("no ids (nbformat 4.4)"), code('1 + 1')], minor=4, ids=False)

write("python-kernel.ipynb", [code("print(1)")], meta={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})

with open("nbformat3.ipynb", "w") as f:
    json.dump({"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": []}, f)
with open("invalid-json.ipynb", "w") as f:
    f.write('{"cells": [ {"cell_type": "code", ')
