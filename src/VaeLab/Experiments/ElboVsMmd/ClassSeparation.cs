using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>How far apart labelled classes lie in a code space, relative to their own spread.</summary>
public static class ClassSeparation
{
    /// <summary>
    /// Fisher's criterion in trace form, tr(S_b) / tr(S_w), for codes N×d with one label per row:
    /// S_b = Σ_c n_c (μ_c − μ)(μ_c − μ)ᵀ (between classes), S_w = Σ_c Σ_{i∈c} (x_i − μ_c)(x_i − μ_c)ᵀ (within).
    /// The between-class share of the total squared spread is r/(1 + r). Invariant to translating, rotating and
    /// uniformly scaling the codes, so models whose codes live on different scales compare directly; 0 when every
    /// class has the same mean, large when classes are tight and far apart. Labels need not be contiguous.
    /// </summary>
    public static double FisherRatio(Tensor codes, Tensor labels)
    {
        if (codes.dim() != 2 || codes.shape[0] < 2)
            throw new ArgumentException($"codes must be an N×d matrix with N ≥ 2; got [{string.Join(",", codes.shape)}].", nameof(codes));
        if (labels.dim() != 1 || labels.shape[0] != codes.shape[0])
            throw new ArgumentException($"labels must be a vector with one label per code ({codes.shape[0]}); got " +
                $"[{string.Join(",", labels.shape)}].", nameof(labels));
        using var _ = torch.NewDisposeScope();
        var x = codes.detach().cpu().to_type(ScalarType.Float64);
        var y = labels.cpu().to_type(ScalarType.Int64);
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        double between = 0, within = 0;
        foreach (long c in y.unique().Item1.data<long>().ToArray())
        {
            var rows = x.index_select(0, y.eq(c).nonzero().squeeze(1));
            var mc = rows.mean(new long[] { 0 }, keepdim: true);
            between += rows.shape[0] * (mc - mean).square().sum().item<double>();
            within += (rows - mc).square().sum().item<double>();
        }
        return within == 0 ? (between == 0 ? double.NaN : double.PositiveInfinity) : between / within;
    }
}
