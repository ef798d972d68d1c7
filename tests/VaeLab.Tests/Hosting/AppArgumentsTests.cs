using VaeLab.Hosting;

namespace VaeLab.Tests.Hosting;

/// <summary>An exported app's command line: `vaelab run`'s -p syntax and rules (ParameterText), checked before anything runs.</summary>
public class AppArgumentsTests
{
    static readonly string[] Declared = ["profile:string", "epochs:int?", "rate:double", "retrain:bool", "label:", "name:string"];

    static AppArguments Parse(params string[] args) => AppArguments.Parse(args, "nb.ipynb", Declared);

    [Fact]
    public void Values_take_the_declared_types()
    {
        var a = Parse("-p", "profile=smoke", "--parameter", "epochs=3", "-prate=2", "-p", "retrain=True", "-p", "name=42");
        Assert.Equal("smoke", a.Get("nb.ipynb", "profile", "default"));
        Assert.Equal(3, a.Get<int?>("nb.ipynb", "epochs", null));
        Assert.Equal(2.0, a.Get("nb.ipynb", "rate", 0.5));        // an int literal fits a double, as in vaelab run
        Assert.True(a.Get("nb.ipynb", "retrain", false));
        Assert.Equal("42", a.Get("nb.ipynb", "name", ""));        // a string parameter keeps digits as text
    }

    [Fact]
    public void Defaults_stay_when_not_given_and_the_last_value_wins()
    {
        var a = Parse("--profile", "smoke", "-p", "profile=paper");
        Assert.Equal("paper", a.Get("nb.ipynb", "profile", "default"));
        Assert.Null(a.Get<int?>("nb.ipynb", "epochs", null));
        Assert.Equal(0.5, a.Get("nb.ipynb", "rate", 0.5));
    }

    [Fact]
    public void Quotes_make_a_string()
    {
        var a = Parse("-p", "label=\"3\"");
        Assert.Equal("3", a.Get<object>("nb.ipynb", "label", "x"));
    }

    [Theory]
    [InlineData(new[] { "-p", "nosuch=1" }, "nb.ipynb: -p nosuch=...: the parameters cell does not declare 'nosuch'. It declares: profile, epochs, rate, retrain, label, name.")]
    [InlineData(new[] { "-p", "epochs=1.5" }, "nb.ipynb: -p epochs=1.5: the parameters cell declares 'int? epochs', and '1.5' is not a int value.")]
    [InlineData(new[] { "-p", "retrain=yes" }, "nb.ipynb: -p retrain=yes: the parameters cell declares 'bool retrain', and 'yes' is not a bool value.")]
    [InlineData(new[] { "-p", "epochs" }, "-p 'epochs': write parameters as -p name=value (for example -p epochs=3).")]
    [InlineData(new[] { "-p", "1x=2" }, "-p '1x=2': '1x' is not a C# variable name.")]
    [InlineData(new[] { "--epochs", "3" }, "unknown argument '--epochs'. Usage: dotnet run nb.cs -- [-p name=value]... (see --help)")]
    [InlineData(new[] { "-p" }, "-p needs a value: -p name=value.")]
    public void Bad_arguments_are_refused_with_the_message_of_vaelab_run(string[] args, string message)
    {
        var e = Assert.Throws<AppBadInputException>(() => Parse(args));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Help_is_recognised()
    {
        Assert.True(Parse("--help").Help);
        Assert.False(Parse().Help);
    }
}
