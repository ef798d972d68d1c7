using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>
/// The latent noise of runs trained together (<see cref="MemberTraining"/>): one generator per run, seeded from the
/// run's seed, so a run draws the same numbers alone or in a batch. Dispose it when training ends (the generators are
/// native objects).
/// </summary>
public sealed class MemberNoise : IDisposable
{
    readonly torch.Generator[] _generators;

    public MemberNoise(IEnumerable<int> seeds) => _generators = seeds.Select(Generator).ToArray();

    /// <summary>A run's noise generator, from its seed.</summary>
    public static torch.Generator Generator(int seed) => new((ulong)seed * 2654435761UL + 1);

    /// <summary>Standard normal draws of <paramref name="shape"/> from each run's generator, stacked: K×shape, on the CPU.</summary>
    public Tensor Draw(params long[] shape) => torch.stack(_generators.Select(g => torch.randn(shape, generator: g)).ToArray());

    public void Dispose()
    {
        foreach (var g in _generators) g.Dispose();
    }
}
