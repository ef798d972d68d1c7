using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.Collapse;

/// <summary>
/// What a run's final model generates and reconstructs, measured once at its end (seed 004's "the generation results
/// are better, and the reconstruction results seem to be less grainy").
/// </summary>
/// <param name="SampleScore">The k-NN Inception Score of the final model's decodings of prior draws, judged by real
/// training digits (<see cref="Metrics.Knn.InceptionScore"/>): from 1 (all alike, or none recognisably one digit) to
/// 10 (each clearly one digit, all ten evenly).</param>
/// <param name="ReconstructionGrain">Speckle of the test batch's reconstructions (decoded posterior means) over the
/// speckle of the test images themselves (<see cref="EndQualities.Speckle"/>): 1 is as grainy as the data.</param>
public sealed record EndQuality(double SampleScore, double ReconstructionGrain);

/// <summary>The measures behind <see cref="EndQuality"/>.</summary>
public static class EndQualities
{
    /// <summary>
    /// Speckle: the mean squared difference between images (N×1×H×W, in [0, 1]) and their own 3×3 median filter
    /// (border pixels replicated), a mean over pixels and images. The median removes isolated specks and keeps edges and smooth
    /// shading, so grain raises this and blur hardly changes it.
    /// </summary>
    public static double Speckle(Tensor images)
    {
        using var _ = torch.NewDisposeScope();
        var x = images.detach().cpu().to_type(ScalarType.Float32);
        if (x.dim() != 4 || x.shape[1] != 1) throw new ArgumentException($"Speckle needs N×1×H×W images; got [{string.Join(",", x.shape)}].", nameof(images));
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate);  // the border repeats itself, so it adds no specks
        var patches = nn.functional.unfold(padded, 3);                                         // N×9×(H·W)
        var (sorted, _) = patches.sort(1);
        var median = sorted.select(1, 4).reshape(n, 1, h, w);                     // the 5th of 9
        return (x - median).pow(2).mean().item<float>();
    }
}
