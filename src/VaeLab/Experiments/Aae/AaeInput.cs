using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;

namespace VaeLab.Experiments.Aae;

/// <summary>The input check shared by the AAE trainers.</summary>
internal static class AaeInput
{
    /// <summary>Checks a flat image batch: N×inputDim floats in [0, 1].</summary>
    public static void CheckImages(Tensor x, int inputDim, string name)
    {
        if (x.dim() != 2 || x.shape[1] != inputDim)
            throw new ArgumentException($"{name}: expected flat images N×{inputDim}, got [{string.Join(",", x.shape)}]. Use ImageDataset.Flat.", name);
        if (!x.is_floating_point())
            throw new ArgumentException($"{name}: expected float pixels in [0, 1], got {x.dtype}.", name);
    }
}
