using System.Text.RegularExpressions;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class ElboVsMmdPlotsTests
{
    static ElboVsMmdRun Run(string name, params string[] terms)
    {
        var h = new History();
        for (int s = 0; s < 10; s++) h.AddStep(terms.ToDictionary(t => t, t => (double)(10 - s)));
        h.AddEpoch(terms.ToDictionary(t => t, t => 5.0));
        return new ElboVsMmdRun(name, h);
    }

    static int Scatters(string json) => Regex.Matches(json, "\"type\":\"scatter\"").Count;

    [Fact]
    public void TheLossCurvesShowEachModelsTermsWithTheMmdVaeOnALogAxis()
    {
        var json = ElboVsMmdPlots.LossCurves(Run("elbo", "-elbo"), Run("mmd", "loss", "mse", "mmd")).ToJson();
        Assert.Equal(4, Scatters(json));  // −ELBO; loss, MSE and MMD
        Assert.Single(Regex.Matches(json, "\"type\":\"log\""));
        foreach (var name in new[] { "-elbo", "loss", "mse", "mmd" }) Assert.Contains($"\"name\":\"{name}\"", json);
    }

    [Fact]
    public void TheCurvesAreWindowMeansOverSteps()
    {
        var run = Run("r", "a");
        var fig = ElboVsMmdPlots.Curves(run, ["a"], "y");
        var trace = Assert.Single(fig.Traces);
        Assert.Equal(run.PerWindow["a"], (double[])trace.Get("y")!);
        Assert.Equal(run.WindowEnds("a"), (double[])trace.Get("x")!);
    }

    [Fact]
    public void TheElboTermsFigureHasTheDocumentsThreeTerms()
    {
        var json = ElboVsMmdPlots.ElboTerms(Run("elbo", "log p(x|z)", "log p(z)", "log q(z|x)")).ToJson();
        Assert.Equal(3, Scatters(json));
        Assert.Throws<KeyNotFoundException>(() => ElboVsMmdPlots.ElboTerms(Run("mmd", "loss")));
    }
}
