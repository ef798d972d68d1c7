using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Data;

/// <summary>One mini-batch: rows of the loader's tensors (Y is null for unlabelled data). Disposing it frees
/// both tensors; batches made inside a dispose scope belong to that scope as usual.</summary>
public sealed record Batch(Tensor X, Tensor? Y) : IDisposable
{
    public int Count => (int)X.shape[0];

    public void Dispose()
    {
        X.Dispose();
        Y?.Dispose();
    }
}

/// <summary>
/// Mini-batches over the first dimension of <paramref name="x"/> (and <paramref name="y"/>). Each epoch draws a
/// fresh permutation from a private generator seeded with seed + epoch, so the order is reproducible, differs
/// between epochs, and leaves the global RNG alone. A batch is one index_select of a slice of that permutation:
/// a single gather per batch, not per-sample copies. Every row appears exactly once per epoch; the last batch is
/// smaller unless <paramref name="dropLast"/>, which drops it.
/// </summary>
public sealed class BatchLoader(Tensor x, Tensor? y, int batchSize, int seed, bool shuffle = true, bool dropLast = false)
{
    readonly Tensor _x = x ?? throw new ArgumentNullException(nameof(x));
    readonly Tensor? _y = CheckY(x, y);
    readonly int _batchSize = batchSize > 0 ? batchSize
        : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
    readonly bool _dropLast = CheckDropLast(x, batchSize, dropLast);

    /// <summary>A loader over a dataset's images and labels.</summary>
    public BatchLoader(ImageDataset data, int batchSize, int seed, bool shuffle = true, bool dropLast = false)
        : this(data.Images, data.Labels, batchSize, seed, shuffle, dropLast) { }

    /// <summary>Number of rows.</summary>
    public int Count => (int)_x.shape[0];

    public int BatchSize => _batchSize;

    /// <summary>Batches per epoch: ⌈N / batch⌉, or ⌊N / batch⌋ with dropLast.</summary>
    public int BatchesPerEpoch => _dropLast ? Count / _batchSize : (Count + _batchSize - 1) / _batchSize;

    /// <summary>The row order of <paramref name="epoch"/> (int64 on the CPU); identity when not shuffling.</summary>
    public Tensor Order(int epoch)
    {
        if (!shuffle) return torch.arange(Count, dtype: ScalarType.Int64);
        using var generator = new torch.Generator(unchecked((ulong)((long)seed + epoch)));
        return torch.randperm(Count, generator: generator, dtype: ScalarType.Int64);
    }

    /// <summary>The batches of <paramref name="epoch"/>, in order.</summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        using var cpuOrder = Order(epoch);
        using var order = cpuOrder.to(_x.device);
        int batches = BatchesPerEpoch;
        for (int b = 0; b < batches; b++)
        {
            int start = b * _batchSize;
            int length = Math.Min(_batchSize, Count - start);
            using var index = order.narrow(0, start, length);
            yield return new Batch(_x.index_select(0, index), _y is null ? null
                : _y.device == _x.device ? _y.index_select(0, index) : _y.index_select(0, cpuOrder.narrow(0, start, length).to(_y.device)));
        }
    }

    static Tensor? CheckY(Tensor x, Tensor? y)
    {
        if (y is not null && y.shape[0] != x.shape[0])
            throw new ArgumentException($"x has {x.shape[0]} rows but y has {y.shape[0]}: they must match.", nameof(y));
        return y;
    }

    static bool CheckDropLast(Tensor x, int batchSize, bool dropLast)
    {
        if (dropLast && x.shape[0] < batchSize)
            throw new ArgumentException($"With dropLast, {x.shape[0]} rows make no batch of {batchSize}: use a smaller batch or dropLast: false.", nameof(dropLast));
        return dropLast;
    }
}
