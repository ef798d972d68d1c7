using VaeLab.Experiments.Aae;
using VaeLab.Experiments.Collapse;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Experiments.Gaussians;
using VaeLab.Experiments.Homoencoder;

namespace VaeLab.Tests.Core;

/// <summary>Every experiment config follows one convention: For(profile) for the three profiles, one error for an
/// unknown profile, and Validate() naming the field and its range.</summary>
public class ConfigConventionTests
{
    static readonly (string Name, Func<string, object> For, Func<object, object> Validate)[] Configs =
    {
        (nameof(GaussiansConfig), p => GaussiansConfig.For(p), c => ((GaussiansConfig)c).Validate()),
        (nameof(ElboVsMmdConfig), p => ElboVsMmdConfig.For(p), c => ((ElboVsMmdConfig)c).Validate()),
        (nameof(CollapseConfig), p => CollapseConfig.For(p), c => ((CollapseConfig)c).Validate()),
        (nameof(AaeConfig), p => AaeConfig.For(p), c => ((AaeConfig)c).Validate()),
        (nameof(SemiSupervisedAaeConfig), p => SemiSupervisedAaeConfig.For(p), c => ((SemiSupervisedAaeConfig)c).Validate()),
        (nameof(VheConfig), p => VheConfig.For(p), c => ((VheConfig)c).Validate()),
    };

    [Fact]
    public void EveryProfileOfEveryConfigIsValid()
    {
        foreach (var (name, make, validate) in Configs)
            foreach (var profile in Profiles.Names)
            {
                var config = make(profile);
                Assert.Same(config, validate(config)); // valid, and Validate returns the config for chaining
            }
    }

    [Fact]
    public void AnUnknownProfileGetsTheSharedError()
    {
        foreach (var (name, make, _) in Configs)
        {
            var e = Assert.Throws<ArgumentException>(() => make("fast"));
            Assert.Equal(Profiles.Unknown("fast").Message, e.Message);
        }
    }

    [Fact]
    public void ValidateNamesTheConfigTheFieldAndTheRange()
    {
        var cases = new (Func<object> Bad, string Expected)[]
        {
            (() => GaussiansConfig.For("smoke") with { HiddenDim = 0 }, "GaussiansConfig.HiddenDim = 0 is out of range: it must be ≥ 1."),
            (() => ElboVsMmdConfig.For("smoke") with { LearningRate = -1e-3 }, "ElboVsMmdConfig.LearningRate = -0.001 is out of range: it must be > 0 and finite."),
            (() => CollapseConfig.For("smoke") with { WarmupFraction = 1.5 }, "CollapseConfig.WarmupFraction = 1.5 is out of range: it must be in [0, 1]."),
            (() => AaeConfig.For("smoke") with { TrainExamples = -5 }, "AaeConfig.TrainExamples = -5 is out of range: it must be ≥ 0 (0 = all)."),
            (() => SemiSupervisedAaeConfig.For("smoke") with { LabelledExamples = 15 }, "SemiSupervisedAaeConfig.LabelledExamples: 15 must be a positive multiple of Classes (10)"),
            (() => VheConfig.For("smoke") with { SetSize = 0 }, "VheConfig.SetSize = 0 is out of range: it must be ≥ 1."),
        };
        foreach (var (bad, expected) in cases)
        {
            var config = bad();
            var validate = Configs.Single(c => c.Name == config.GetType().Name).Validate;
            var e = Assert.Throws<ArgumentException>(() => validate(config));
            Assert.StartsWith(expected, e.Message);
        }
    }
}
