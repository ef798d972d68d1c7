using VaeLab.Experiments.Gaussians;

namespace VaeLab.Tests.Experiments.Gaussians;

public class GaussiansConfigTests
{
    [Fact]
    public void PaperProfileUsesTheDocumentsAutoencoderSettings()
    {
        var paper = GaussiansConfig.For("paper");
        Assert.Equal(5000, paper.Epochs);
        Assert.Equal(5000, paper.BatchSize);
        Assert.Equal(1e-3, paper.LearningRate);
        Assert.Equal(10, paper.HiddenDim);
        Assert.Equal(3, paper.SamplesZ);
    }

    [Fact]
    public void UnknownProfileNamesTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => GaussiansConfig.For("fast"));
        Assert.All(Profiles.Names, name => Assert.Contains($"\"{name}\"", e.Message));
    }
}
