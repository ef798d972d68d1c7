using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Losses;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>How far a set of codes (N×d) is from an isotropic Gaussian prior N(0, σ²I).</summary>
public static class AggregatePosterior
{
    /// <summary>‖mean of the codes‖₂ (0 for codes centred at the origin).</summary>
    public static double MeanNorm(Tensor codes)
    {
        Check(codes, 1);
        using var _ = torch.NewDisposeScope();
        return codes.detach().to_type(ScalarType.Float64).mean(new long[] { 0 }).norm().item<double>();
    }

    /// <summary>Sample covariance (d×d, divisor N − 1), in float64 on the CPU.</summary>
    public static Tensor Covariance(Tensor codes)
    {
        Check(codes, 2);
        using var _ = torch.NewDisposeScope();
        var c = codes.detach().cpu().to_type(ScalarType.Float64);
        var centred = c - c.mean(new long[] { 0 }, keepdim: true);
        return (centred.t().matmul(centred) / (c.shape[0] - 1)).MoveToOuterDisposeScope();
    }

    /// <summary>‖Cov(codes) − σ²I‖_F, the Frobenius distance of the sample covariance from the prior's.</summary>
    public static double CovarianceDistance(Tensor codes, double priorVariance = 1.0)
    {
        using var _ = torch.NewDisposeScope();
        var cov = Covariance(codes);
        return (cov - priorVariance * torch.eye(cov.shape[0], dtype: ScalarType.Float64)).norm().item<double>();
    }

    /// <summary>
    /// MMD² (<see cref="Mmd.Compute"/>, the document's kernel unless <paramref name="scale"/> is given) between the codes
    /// and as many N(0, σ²I) samples, drawn from a private generator seeded with <paramref name="seed"/> so the
    /// metric is reproducible and leaves torch's global generator alone.
    /// </summary>
    public static double MmdToNormal(Tensor codes, double std = 1.0, long seed = 0, double? scale = null)
    {
        Check(codes, 1);
        using var _ = torch.NewDisposeScope();
        using var _ng = torch.no_grad();
        using var gen = new Generator((ulong)seed);  // held to the end: randn must not outlive it (environment.md)
        var prior = torch.randn(codes.shape, generator: gen, dtype: ScalarType.Float32) * std;
        return Mmd.Compute(codes.detach().cpu().to_type(ScalarType.Float32), prior, scale).item<float>();
    }

    static void Check(Tensor codes, int minRows)
    {
        if (codes.dim() != 2 || codes.shape[0] < minRows)
            throw new ArgumentException($"codes must be an N×d matrix with N ≥ {minRows}; got [{string.Join(",", codes.shape)}].", nameof(codes));
    }
}
