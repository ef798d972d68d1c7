using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Tests;

public class ParameterTests
{
    static readonly DeclaredParameter Var = new("x", null);

    static string Decl(string raw, DeclaredParameter? declared = null) =>
        Parameters.Declaration(new ParameterValue((declared ?? Var).Name, raw), declared ?? Var, "nb.ipynb").Code;

    [Fact]
    public void The_type_comes_from_the_literal()
    {
        Assert.Equal("var x = 3;", Decl("3"));
        Assert.Equal("var x = -2;", Decl("-2"));
        Assert.Equal("var x = 0.001;", Decl("1e-3"));
        Assert.Equal("var x = 2.5;", Decl("2.5"));
        Assert.Equal("var x = true;", Decl("true"));
        Assert.Equal("var x = \"smoke\";", Decl("smoke"));
        Assert.Equal("var x = \"say \\\"hi\\\"\";", Decl("say \"hi\""));
        Assert.Equal("var x = \"3\";", Decl("\"3\"")); // quoted: a string
    }

    [Fact]
    public void An_explicitly_declared_type_is_kept()
    {
        Assert.Equal("int? epochs = 3;", Decl("3", new DeclaredParameter("epochs", "int?")));
        Assert.Equal("double lr = 1;", Decl("1", new DeclaredParameter("lr", "double")));
        Assert.Equal("float lr = 0.5f;", Decl("0.5", new DeclaredParameter("lr", "float")));
        Assert.Equal("string name = \"42\";", Decl("42", new DeclaredParameter("name", "string")));
        var e = Assert.Throws<BadInputException>(() => Decl("many", new DeclaredParameter("epochs", "int?")));
        Assert.Contains("int? epochs", e.Message);
    }

    [Fact]
    public void Declared_names_are_read_with_roslyn()
    {
        var d = Parameters.Declared("var profile = \"default\"; // comment\nint? epochs = null;\ndouble a = 1, b = 2;\nConsole.WriteLine(1);\nvar (p, q) = (1, 2);");
        Assert.Equal(["profile", "epochs", "a", "b"], d.Keys);
        Assert.Null(d["profile"].Type);
        Assert.Equal("int?", d["epochs"].Type);
        Assert.Equal("double", d["b"].Type);
    }

    [Theory]
    [InlineData("epochs")]
    [InlineData("=3")]
    [InlineData("2x=3")]
    [InlineData("class=3")]
    public void A_bad_pair_is_a_clear_error(string pair)
    {
        var e = Assert.Throws<BadInputException>(() => ParameterValue.Parse(pair));
        Assert.Contains(pair, e.Message);
    }
}
