using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.Aae;

/// <summary>Samples from the AAE priors, drawn with torch's global generator on the given device.</summary>
public static class AaePriors
{
    /// <summary>N(0, std²·I): n × dim.</summary>
    public static Tensor Gaussian(long n, long dim, double std, Device? device = null)
    {
        if (std <= 0) throw new ArgumentOutOfRangeException(nameof(std), std, "The prior's standard deviation must be > 0.");
        return torch.randn(n, dim, device: device) * std;
    }

    /// <summary>One-hot vectors of classes drawn uniformly: n × classes, float32.</summary>
    public static Tensor Categorical(long n, int classes, Device? device = null)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A categorical prior needs ≥ 2 classes.");
        var k = torch.randint(0, classes, new long[] { n }, dtype: ScalarType.Int64, device: device);
        return nn.functional.one_hot(k, classes).to_type(ScalarType.Float32);
    }
}
