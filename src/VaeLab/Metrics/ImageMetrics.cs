using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>Measures of image quality that need no reference images.</summary>
public static class ImageMetrics
{
    /// <summary>
    /// Sharpness: the mean image-gradient magnitude √(∂x² + ∂y²), with forward differences on the (H−1)×(W−1) grid,
    /// averaged over pixels and images (N×1×H×W, N×H×W or N×784 with values in [0,1]). A step edge of height 1
    /// across an H×W image scores 1/(W−1); blurring it spreads the same rise over more pixels and scores lower.
    /// </summary>
    public static double Sharpness(Tensor images)
    {
        using var _ = torch.NewDisposeScope();
        var x = images.detach().to_type(ScalarType.Float64);
        if (x.dim() == 2 && x.shape[1] == 784) x = x.reshape(-1, 28, 28);
        if (x.dim() == 4 && x.shape[1] == 1) x = x.squeeze(1);
        if (x.dim() != 3 || x.shape[1] < 2 || x.shape[2] < 2)
            throw new ArgumentException($"Sharpness expects N×1×H×W, N×H×W or N×784 images with H, W ≥ 2; got [{string.Join(",", images.shape)}].", nameof(images));
        long h = x.shape[1], w = x.shape[2];
        var top = x[.., TensorIndex.Slice(0, h - 1), ..];
        var dx = x[.., TensorIndex.Slice(0, h - 1), TensorIndex.Slice(1, w)] - top[.., .., TensorIndex.Slice(0, w - 1)];
        var dy = x[.., TensorIndex.Slice(1, h), TensorIndex.Slice(0, w - 1)] - top[.., .., TensorIndex.Slice(0, w - 1)];
        return (dx.square() + dy.square()).sqrt().mean().item<double>();
    }
}
