using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.ElboVsMmd;

/// <summary>Display helpers for generated images.</summary>
public static class ImageContrast
{
    /// <summary>
    /// Each image (N×…) rescaled to its own range, (x − min) / (max − min), as R's <c>image()</c> (which the document's
    /// plots use) colours a matrix: faint variations around a flat grey become visible. A constant image maps to 0.
    /// </summary>
    public static Tensor StretchEach(Tensor images)
    {
        if (images.dim() < 2) throw new ArgumentException($"images must be N×… with at least 2 dimensions; got " +
            $"[{string.Join(",", images.shape)}].", nameof(images));
        using var scope = torch.NewDisposeScope();
        var flat = images.detach().flatten(1);
        var lo = flat.amin(new long[] { 1 }, keepdim: true);
        var range = flat.amax(new long[] { 1 }, keepdim: true) - lo;
        var stretched = (flat - lo) / range.where(range > 0, torch.ones_like(range));
        return stretched.reshape(images.shape).MoveToOuterDisposeScope();
    }
}
