using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>
/// Sharpness measures that need no reference images, from forward differences ∂x, ∂y on the (H−1)×(W−1) grid of
/// each image (N×1×H×W, N×H×W or N×784, values in [0,1]), averaged over pixels and images.
/// </summary>
public static class ImageMetrics
{
    /// <summary>
    /// Gradient energy, mean of ∂x² + ∂y² (Tenengrad without threshold): the sharpness measure. Blurring a unit step
    /// over w columns divides it by w, since the same rise is split into w steps of 1/w.
    /// </summary>
    public static double GradientEnergy(Tensor images)
    {
        using var _ = torch.NewDisposeScope();
        var (dx, dy) = Differences(images);
        return (dx.square() + dy.square()).mean().item<double>();
    }

    /// <summary>
    /// Mean gradient magnitude, mean of √(∂x² + ∂y²): the total variation per pixel. It measures detail, not edge
    /// width: blurring a monotone edge keeps its total rise, so the step and its blur score the same.
    /// </summary>
    public static double MeanGradientMagnitude(Tensor images)
    {
        using var _ = torch.NewDisposeScope();
        var (dx, dy) = Differences(images);
        return (dx.square() + dy.square()).sqrt().mean().item<double>();
    }

    static (Tensor Dx, Tensor Dy) Differences(Tensor images)
    {
        var x = images.detach().to_type(ScalarType.Float64);
        if (x.dim() == 2 && x.shape[1] == 784) x = x.reshape(-1, 28, 28);
        if (x.dim() == 4 && x.shape[1] == 1) x = x.squeeze(1);
        if (x.dim() != 3 || x.shape[1] < 2 || x.shape[2] < 2)
            throw new ArgumentException($"Image sharpness expects N×1×H×W, N×H×W or N×784 images with H, W ≥ 2; got " +
                $"[{string.Join(",", images.shape)}].", nameof(images));
        long h = x.shape[1], w = x.shape[2];
        var origin = x[.., TensorIndex.Slice(0, h - 1), TensorIndex.Slice(0, w - 1)];
        var dx = x[.., TensorIndex.Slice(0, h - 1), TensorIndex.Slice(1, w)] - origin;
        var dy = x[.., TensorIndex.Slice(1, h), TensorIndex.Slice(0, w - 1)] - origin;
        return (dx, dy);
    }
}
