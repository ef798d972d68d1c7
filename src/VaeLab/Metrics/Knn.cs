using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// k-nearest-neighbour classification (Euclidean), e.g. of latent codes: how well classes separate in code space.
/// Majority vote of the k nearest; a tie goes to the tied class whose member is nearest.
/// </summary>
public static class Knn
{
    const int BlockRows = 1024;

    /// <summary>Predicted labels (int64, length M) for queries M×d from references N×d with labels (length N).</summary>
    public static Tensor Predict(Tensor references, Tensor labels, Tensor queries, int k = 5)
        => PredictCore(references, labels, queries, k, leaveOneOut: false);

    /// <summary>
    /// For each query, the share of its k nearest references that carry its predicted (majority) label: 1 when all
    /// agree, as low as 1/k when all differ. How confidently k-NN classifies each query.
    /// </summary>
    public static double[] MajorityShare(Tensor references, Tensor labels, Tensor queries, int k = 5)
    {
        var (_, votes) = Classify(references, labels, queries, k, leaveOneOut: false);
        return votes.Select(v => v / (double)k).ToArray();
    }

    /// <summary>Accuracy of predicting test labels from the training references: fraction in [0,1].</summary>
    public static double Accuracy(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int k = 5)
    {
        using var _ = torch.NewDisposeScope();
        var pred = Predict(trainX, trainY, testX, k);
        CheckLabels(testX, testY, "testY");
        return pred.eq(testY.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Leave-one-out accuracy within one labelled set: each point is classified by its k nearest others.</summary>
    public static double LeaveOneOutAccuracy(Tensor x, Tensor y, int k = 5)
    {
        using var _ = torch.NewDisposeScope();
        var pred = PredictCore(x, y, x, k, leaveOneOut: true);
        return pred.eq(y.cpu().to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    static Tensor PredictCore(Tensor references, Tensor labels, Tensor queries, int k, bool leaveOneOut) =>
        torch.tensor(Classify(references, labels, queries, k, leaveOneOut).Predicted);

    // Each query's vote and how many of its k neighbours cast it.
    static (long[] Predicted, int[] Votes) Classify(Tensor references, Tensor labels, Tensor queries, int k, bool leaveOneOut)
    {
        if (references.dim() != 2 || queries.dim() != 2 || references.shape[1] != queries.shape[1])
            throw new ArgumentException($"kNN needs references N×d and queries M×d of the same d; got [{string.Join(",", references.shape)}] and [{string.Join(",", queries.shape)}].");
        CheckLabels(references, labels, nameof(labels));
        long n = references.shape[0], available = leaveOneOut ? n - 1 : n;
        if (k < 1 || k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {available}] for {n} reference points{(leaveOneOut ? " (leave-one-out)" : "")}.");
        using var _ = torch.NewDisposeScope();
        var refs = references.detach().cpu().to_type(ScalarType.Float32);
        var qs = queries.detach().cpu().to_type(ScalarType.Float32);
        var lab = labels.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        long m = qs.shape[0];
        var predicted = new long[m];
        var votes = new int[m];
        for (long i0 = 0; i0 < m; i0 += BlockRows)
        {
            using var block = torch.NewDisposeScope();
            long i1 = Math.Min(m, i0 + BlockRows);
            var d = torch.cdist(qs[TensorIndex.Slice(i0, i1)], refs);
            if (leaveOneOut)
            {
                var rows = torch.arange(i1 - i0, dtype: ScalarType.Int64);
                d.index_put_(torch.tensor(float.PositiveInfinity), rows, rows + i0);
            }
            var nearest = d.topk(k, dim: 1, largest: false, sorted: true).indexes.data<long>().ToArray();
            for (long r = 0; r < i1 - i0; r++)
                (predicted[i0 + r], votes[i0 + r]) = Vote(nearest.AsSpan((int)(r * k), k), lab);
        }
        NativeMemoryTuning.TrimHeap();
        return (predicted, votes);
    }

    /// <summary>Majority label of neighbours sorted nearest first; ties go to the tied label seen first (nearest).</summary>
    static (long Label, int Votes) Vote(ReadOnlySpan<long> neighbours, long[] labels)
    {
        var counts = new Dictionary<long, int>();
        foreach (var j in neighbours) counts[labels[j]] = counts.GetValueOrDefault(labels[j]) + 1;
        int best = counts.Values.Max();
        foreach (var j in neighbours) if (counts[labels[j]] == best) return (labels[j], best);
        throw new InvalidOperationException("unreachable: no neighbours");
    }

    static void CheckLabels(Tensor x, Tensor y, string name)
    {
        if (y.dim() != 1 || y.shape[0] != x.shape[0])
            throw new ArgumentException($"{name} must be a vector with one label per row ({x.shape[0]}); got [{string.Join(",", y.shape)}].", name);
    }
}
