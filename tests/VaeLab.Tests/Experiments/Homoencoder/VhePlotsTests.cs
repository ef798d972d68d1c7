using System.Text.RegularExpressions;
using TorchSharp;
using VaeLab.Experiments.Homoencoder;
using VaeLab.Training;

namespace VaeLab.Tests.Experiments.Homoencoder;

public class VhePlotsTests
{
    static VheRun Run(string name, IReadOnlyList<double>? purity = null)
    {
        var h = new History();
        for (int s = 0; s < 4; s++) h.AddStep(new Dictionary<string, double> { ["grad_z"] = 2, ["grad_c"] = 1 });
        for (int e = 0; e < 2; e++) h.AddEpoch(new Dictionary<string, double> { ["loss"] = 100 - e, ["grad_z"] = 2, ["grad_c"] = 1 });
        return new VheRun(name, h, torch.nn.Linear(1, 1), purity ?? [], purity ?? [], null);
    }

    static int Scatters(string json) => Regex.Matches(json, "\"type\":\"scatter\"").Count;

    [Fact]
    public void LossesAndGradientsDrawOneLinePerRunAndTerm()
    {
        var (a, b) = (Run("VAE"), Run("VHE (unsupervised)", [0.5, 0.6]));
        Assert.Equal(2, VhePlots.Losses([a, b], "mnist-10k").Traces.Count);
        var json = VhePlots.Gradients(b, a, b).ToJson();
        Assert.Equal(4, Scatters(json));  // ‖∂ℓ/∂z‖ and ‖∂ℓ/∂c‖ per step; each run's ratio per epoch
        Assert.Contains("0.5", json);     // the ratio c : z = 1 / 2
    }

    [Fact]
    public void PseudoLabelsDrawPurityNmiAndThePixelLevel()
    {
        var fig = VhePlots.PseudoLabels(Run("VHE (unsupervised)", [0.3, 0.4, 0.5]), pixelNmi: 0.42, clusters: 10);
        Assert.Equal(["purity", "NMI", "NMI of KMeans on pixels"], fig.Traces.Select(t => (string)t.Get("name")!));
        Assert.Equal(new[] { 0.42, 0.42 }, ((IEnumerable<double>)fig.Traces[2].Get("y")!).ToArray());
        Assert.Contains("no pseudo-labels", Assert.Throws<ArgumentException>(() => VhePlots.PseudoLabels(Run("VAE"), 0.4, 10)).Message);
    }
}
