using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Losses;

/// <summary>
/// Maximum mean discrepancy with the Gaussian kernel of the MMD-VAE document (Zhao's InfoVAE code):
/// k(z, z′) = exp(−mean_d (z_d − z′_d)² / dim) = exp(−‖z − z′‖² / dim²). The bandwidth can be overridden with
/// <c>scale</c> (k = exp(−‖z − z′‖² / scale)), e.g. for a wider prior.
/// </summary>
public static class Mmd
{
    /// <summary>Rows of x per block when forming kernel matrices, so 10k×10k means fit in memory.</summary>
    const int BlockRows = 512;

    /// <summary>The document's kernel scale for codes of dimension <paramref name="dim"/>: dim².</summary>
    public static double DocumentScale(long dim) => (double)dim * dim;

    /// <summary>
    /// The kernel matrix K[i, j] = exp(−‖x_i − y_j‖² / scale), n×m; scale defaults to dim² (the document's).
    /// Differences are formed explicitly (not via ‖x‖² + ‖y‖² − 2x·y), so K(x, x) has an exact unit diagonal.
    /// </summary>
    public static Tensor Kernel(Tensor x, Tensor y, double? scale = null)
    {
        CheckPair(x, y);
        double s = scale ?? DocumentScale(x.shape[1]);
        if (!(s > 0)) throw new ArgumentOutOfRangeException(nameof(scale), s, "kernel scale must be > 0.");
        // cdist rather than an N×M×d difference tensor; direct (not matmul) distances keep the diagonal exactly 1.
        return (-torch.cdist(x, y, 2.0, compute_mode.donot_use_mm_for_euclid_dist).square() / s).exp();
    }

    /// <summary>Mean of the kernel matrix between x and y, formed in row blocks (a scalar; differentiable).</summary>
    public static Tensor KernelMean(Tensor x, Tensor y, double? scale = null)
    {
        CheckPair(x, y);
        long n = x.shape[0];
        if (n <= BlockRows) return Kernel(x, y, scale).mean();
        Tensor? total = null;
        for (long i = 0; i < n; i += BlockRows)
        {
            // Free each block's kernel matrix before the next; keep only the running sum.
            using var step = torch.NewDisposeScope();
            var block = Kernel(x[TensorIndex.Slice(i, Math.Min(n, i + BlockRows))], y, scale).sum();
            var next = total is null ? block : total + block;
            total?.Dispose();
            total = next.MoveToOuterDisposeScope();
        }
        NativeMemoryTuning.TrimHeap();
        return total! / (double)(n * y.shape[0]);
    }

    /// <summary>
    /// MMD² estimate (the document's, biased V-statistic: diagonals included):
    /// mean k(x, x′) + mean k(y, y′) − 2 mean k(x, y). A scalar for the two samples (not per example);
    /// under equal distributions its expectation is (1/n + 1/m)(1 − E k(x, x′)), not 0.
    /// </summary>
    public static Tensor Compute(Tensor x, Tensor y, double? scale = null)
        => KernelMean(x, x, scale) + KernelMean(y, y, scale) - 2 * KernelMean(x, y, scale);

    /// <summary>
    /// MMD² between codes z (N×d) and as many fresh N(0, σ²I) samples drawn on z's device — the MMD-VAE
    /// regulariser with σ = 1. Uses torch's global generator (seeded by Lab.Setup).
    /// </summary>
    public static Tensor ToNormal(Tensor z, double std = 1.0, double? scale = null)
        => Compute(torch.randn_like(z) * std, z, scale);

    static void CheckPair(Tensor x, Tensor y)
    {
        if (x.dim() != 2 || y.dim() != 2 || x.shape[1] != y.shape[1])
            throw new ArgumentException($"MMD needs two samples as N×d and M×d matrices of the same d; got [{string.Join(",", x.shape)}] and " +
                $"[{string.Join(",", y.shape)}]. Flatten images with .flatten(1).");
        if (x.shape[0] == 0 || y.shape[0] == 0)
            throw new ArgumentException("MMD needs non-empty samples.");
    }
}
