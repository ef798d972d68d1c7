using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;

namespace VaeLab.Training;

/// <summary>One mini-batch: rows of the loader's tensors (Y is null for unlabelled data) and their row numbers
/// (int64, on the CPU). Disposing it frees all three; batches made inside a dispose scope belong to that scope.</summary>
public sealed record Batch(Tensor X, Tensor? Y, Tensor Rows) : IDisposable
{
    public int Count => (int)X.shape[0];

    /// <summary>The row numbers as an array (for per-example bookkeeping such as the VHE's set sampler).</summary>
    public long[] RowArray() => Rows.data<long>().ToArray();

    public void Dispose()
    {
        X.Dispose();
        Y?.Dispose();
        Rows.Dispose();
    }
}

/// <summary>
/// Mini-batches over the first dimension of <paramref name="x"/> (and <paramref name="y"/>). Each epoch draws a
/// fresh permutation from a private generator seeded with seed + epoch, so the order is reproducible, differs
/// between epochs, and leaves the global RNG alone. A batch is one index_select of a slice of that permutation:
/// a single gather per batch, not per-sample copies. Every row appears exactly once per epoch; the last batch is
/// smaller unless <paramref name="dropLast"/>, which drops it. <see cref="Cycle"/> draws full batches endlessly
/// instead, pass after pass, for a second data stream that runs beside the epochs of another (labelled examples).
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
            var rows = cpuOrder.narrow(0, start, length);
            yield return new Batch(_x.index_select(0, index), _y is null ? null
                : _y.device == _x.device ? _y.index_select(0, index) : _y.index_select(0, rows.to(_y.device)), rows);
        }
    }

    /// <summary>An endless stream of full batches: pass p uses <see cref="Order"/>(p); a pass's tail shorter than a
    /// batch is skipped. Its position can be saved and restored, so a resumed run continues the same stream.</summary>
    public BatchCycle Cycle() => new(this);

    /// <summary>The rows <paramref name="rows"/> (int64, CPU) of the loader's tensors as a batch.</summary>
    internal Batch Take(Tensor rows) =>
        new(_x.index_select(0, rows.to(_x.device)), _y?.index_select(0, rows.to(_y.device)), rows);

    static Tensor? CheckY(Tensor x, Tensor? y)
    {
        if (y is not null && y.shape[0] != x.shape[0])
            throw new ArgumentException($"x has {x.shape[0]} rows but y has {y.shape[0]}: they must match.", nameof(y));
        return y;
    }

    static bool CheckDropLast(Tensor x, int batchSize, bool dropLast)
    {
        if (dropLast && x.shape[0] < batchSize)
            throw new ArgumentException($"With dropLast, {x.shape[0]} rows make no batch of {batchSize}: use a smaller batch or dropLast: false.",
                nameof(dropLast));
        return dropLast;
    }
}

/// <summary>The position in a <see cref="BatchLoader.Cycle"/>: which pass, and how far into it.</summary>
public sealed class BatchCycle
{
    readonly BatchLoader _loader;
    int _pass, _position;
    long[] _order = Array.Empty<long>();

    internal BatchCycle(BatchLoader loader) => _loader = loader;

    /// <summary>Where the cycle stands, for an epoch checkpoint.</summary>
    public IReadOnlyDictionary<string, long> Counters => new Dictionary<string, long> { ["labelled epoch"] = _pass, ["labelled position"] = _position };

    /// <summary>Continues from <see cref="Counters"/> (each pass's order is a function of its index).</summary>
    public void Restore(IReadOnlyDictionary<string, long> counters)
    {
        _pass = (int)counters["labelled epoch"];
        _position = (int)counters["labelled position"];
        if (_pass > 0)
        {
            using var order = _loader.Order(_pass - 1);
            _order = order.data<long>().ToArray();
        }
    }

    /// <summary>The next full batch, starting a new pass when this one has too few rows left.</summary>
    public Batch Next()
    {
        if (_position + _loader.BatchSize > _order.Length)
        {
            using var order = _loader.Order(_pass++);
            _order = order.data<long>().ToArray();
            _position = 0;
        }
        var rows = torch.tensor(_order.AsSpan(_position, _loader.BatchSize).ToArray(), ScalarType.Int64);
        _position += _loader.BatchSize;
        return _loader.Take(rows);
    }
}
