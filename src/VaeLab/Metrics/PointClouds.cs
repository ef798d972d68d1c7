using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// Comparisons of point clouds (generated samples against held-out data), for low-dimensional data such as
/// notebook 01's two Gaussians. Inputs are N×d tensors; results are plain numbers.
/// </summary>
public static class PointClouds
{
    /// <summary>
    /// Unbiased estimate of the squared maximum mean discrepancy between the distributions of
    /// <paramref name="x"/> and <paramref name="y"/> with the Gaussian kernel k(a, b) = exp(−‖a − b‖² / (2σ²)):
    /// mean over i≠j of k(xᵢ, xⱼ) + mean over i≠j of k(yᵢ, yⱼ) − 2 mean of k(xᵢ, yⱼ). Zero in expectation when both
    /// come from one distribution (so it can come out slightly negative), positive otherwise.
    /// </summary>
    /// <param name="x">One cloud, N×d.</param>
    /// <param name="y">The other, M×d.</param>
    /// <param name="bandwidth">σ, in the data's units: the scale of structure the comparison resolves.</param>
    public static double MmdSquared(Tensor x, Tensor y, double bandwidth)
    {
        CheckCloud(x, nameof(x), 2);
        CheckCloud(y, nameof(y), 2);
        if (x.shape[1] != y.shape[1]) throw new ArgumentException($"x has {x.shape[1]} columns but y has {y.shape[1]}: compare points of one dimension.",
            nameof(y));
        if (!(bandwidth > 0) || double.IsInfinity(bandwidth)) throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth,
            "The kernel bandwidth must be positive and finite.");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var a = x.detach().to(ScalarType.Float64);
        var b = y.detach().to(ScalarType.Float64).to(a.device);
        double gamma = 1.0 / (2 * bandwidth * bandwidth);
        double n = a.shape[0], m = b.shape[0];
        // The kernel is 1 on the diagonal, so the off-diagonal sum is the full sum minus n.
        double kxx = (KernelSum(a, a, gamma) - n) / (n * (n - 1));
        double kyy = (KernelSum(b, b, gamma) - m) / (m * (m - 1));
        double kxy = KernelSum(a, b, gamma) / (n * m);
        return kxx + kyy - 2 * kxy;
    }

    static double KernelSum(Tensor a, Tensor b, double gamma)
    {
        // In row blocks so that large clouds do not need an N×M matrix at once.
        const int block = 2048;
        double total = 0;
        for (long start = 0; start < a.shape[0]; start += block)
        {
            using var scope = torch.NewDisposeScope();
            var rows = a.narrow(0, start, Math.Min(block, a.shape[0] - start));
            total += torch.cdist(rows, b).square().mul(-gamma).exp().sum().item<double>();
        }
        return total;
    }

    /// <summary>
    /// How two-dimensional a cloud is locally: for every point, the covariance of it and its
    /// <paramref name="neighbours"/> nearest neighbours, and the ratio of that covariance's smallest to largest
    /// eigenvalue; returns the median over points. 0 for points on a curve (no spread across it), about 0.3–0.5 for a
    /// 2-D Gaussian cloud (a neighbourhood of a few points is never perfectly round).
    /// </summary>
    public static double LocalSpread(Tensor points, int neighbours = 20)
    {
        CheckCloud(points, nameof(points), neighbours + 1);
        if (neighbours < 2) throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, "Use at least 2 neighbours for a covariance.");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var p = points.detach().to(ScalarType.Float64);
        var ratios = new List<Tensor>();
        const int block = 1024;
        for (long start = 0; start < p.shape[0]; start += block)
        {
            var rows = p.narrow(0, start, Math.Min(block, p.shape[0] - start));
            // k+1 nearest include the point itself (distance 0).
            var index = torch.cdist(rows, p).topk(neighbours + 1, dim: 1, largest: false).indexes;      // B×(k+1)
            var hood = p.index_select(0, index.flatten()).reshape(rows.shape[0], neighbours + 1, p.shape[1]); // B×(k+1)×d
            var centred = hood - hood.mean(new long[] { 1 }, keepdim: true);
            var cov = centred.transpose(1, 2).matmul(centred) / neighbours;                               // B×d×d
            var eig = torch.linalg.eigvalsh(cov);                                                          // ascending
            ratios.Add(eig[.., 0].clamp_min(0) / eig[.., -1]);
        }
        return torch.cat(ratios, 0).nan_to_num(0.0).median().item<double>();
    }

    /// <summary>Fraction of <paramref name="points"/> nearest to each of <paramref name="centres"/> (K×d); sums to 1.</summary>
    public static double[] ClusterShares(Tensor points, Tensor centres)
    {
        CheckCloud(points, nameof(points), 1);
        CheckCloud(centres, nameof(centres), 1);
        if (points.shape[1] != centres.shape[1]) throw new ArgumentException($"points have {points.shape[1]} columns but centres {centres.shape[1]}.",
            nameof(centres));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var p = points.detach().to(ScalarType.Float64);
        var nearest = torch.cdist(p, centres.detach().to(ScalarType.Float64).to(p.device)).argmin(1);
        var counts = torch.bincount(nearest, minlength: (int)centres.shape[0]).to(ScalarType.Float64).cpu();
        return (counts / p.shape[0]).data<double>().ToArray();
    }

    static void CheckCloud(Tensor t, string name, long minRows)
    {
        if (t.dim() != 2) throw new ArgumentException($"{name} must be an N×d tensor of points; got shape [{string.Join(",", t.shape)}].", name);
        if (t.shape[0] < minRows) throw new ArgumentException($"{name} has {t.shape[0]} point(s); this measure needs at least {minRows}.", name);
    }
}
