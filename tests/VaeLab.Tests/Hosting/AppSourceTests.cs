using VaeLab.Hosting;

namespace VaeLab.Tests.Hosting;

/// <summary>An exported app reads its cells back from its own file for the page: markers, markdown comments, code.</summary>
public class AppSourceTests
{
    [Fact]
    public void Cells_are_read_between_the_markers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vaelab-appsource-{Guid.NewGuid():N}.cs");
        File.WriteAllText(path, """
            #:package VaeLab@0.1.0
            using VaeLab;
            NotebookApp.Start(args, "n.ipynb", []);

            // ==== cell 1 (markdown) ====
            // # Title
            //
            // Text with // inside.

            // ==== cell 2 (code) ====
            NotebookApp.Cell(2);
            var x = 1;
              // indented comment

            // ==== end of the notebook's cells ====
            return NotebookApp.Finish();
            record P(int X);
            """);
        try
        {
            var cells = AppSource.Read(path);
            Assert.Equal([1, 2], cells.Keys.ToArray());
            Assert.Equal(("markdown", "# Title\n\nText with // inside."), cells[1]);
            Assert.Equal(("code", "var x = 1;\n  // indented comment"), cells[2]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_missing_file_gives_no_cells() => Assert.Empty(AppSource.Read(Path.Combine(Path.GetTempPath(), "no-such-vaelab-app.cs")));
}
