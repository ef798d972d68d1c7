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

    /// <summary>
    /// The share of <paramref name="queries"/> that k-NN classifies confidently: at least <paramref name="agree"/>
    /// (default k − 1, i.e. 4 of 5) of their k nearest references share one label. For images, e.g. decodings or
    /// samples, against real labelled images: one that looks like one kind of object counts; a blend of two kinds, or
    /// something like no real image, splits its neighbours.
    /// </summary>
    public static double ConfidentShare(Tensor references, Tensor labels, Tensor queries, int k = 5, int? agree = null)
    {
        int a = agree ?? Math.Max(1, k - 1);
        if (a < 1 || a > k) throw new ArgumentOutOfRangeException(nameof(agree), a, $"agree must be in [1, k = {k}].");
        var shares = MajorityShare(references, labels, queries, k);
        return shares.Count(s => s * k >= a - 1e-9) / (double)shares.Length;
    }

    /// <summary>
    /// The Inception Score (Salimans et al. 2016) with a k-NN classifier in place of the Inception network:
    /// exp(mean over queries of KL(p(y|x) ‖ p(y))), where p(y|x) is the share of a query's k nearest references with
    /// label y and p(y) its mean over the queries. From 1 (every query looks alike, or none is recognised as one class)
    /// to the number of classes (each query confidently one class, the classes evenly covered): how recognisable and
    /// how varied generated images are, judged by real labelled images.
    /// </summary>
    public static double InceptionScore(Tensor references, Tensor labels, Tensor queries, int k = 10)
    {
        var votes = Votes(references, labels, queries, k);       // M×C, rows sum to 1
        int m = votes.GetLength(0), c = votes.GetLength(1);
        var marginal = new double[c];
        for (int i = 0; i < m; i++) for (int y = 0; y < c; y++) marginal[y] += votes[i, y] / m;
        double kl = 0;
        for (int i = 0; i < m; i++)
            for (int y = 0; y < c; y++)
                if (votes[i, y] > 0) kl += votes[i, y] * Math.Log(votes[i, y] / marginal[y]) / m;
        return Math.Exp(kl);
    }

    // Each query's label distribution among its k nearest references (M × number of labels, label = column).
    static double[,] Votes(Tensor references, Tensor labels, Tensor queries, int k)
    {
        var (nearest, classes) = NeighbourLabels(references, labels, queries, k, leaveOneOut: false);
        long m = nearest.Length / k;
        var votes = new double[m, classes];
        for (long i = 0; i < m; i++)
            for (int j = 0; j < k; j++) votes[i, nearest[i * k + j]] += 1.0 / k;
        return votes;
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
        var (nearest, _) = NeighbourLabels(references, labels, queries, k, leaveOneOut);
        long m = nearest.Length / k;
        var predicted = new long[m];
        var votes = new int[m];
        for (long r = 0; r < m; r++) (predicted[r], votes[r]) = Vote(nearest.AsSpan((int)(r * k), k));
        return (predicted, votes);
    }

    // The labels of each query's k nearest references (Euclidean), nearest first, row-major M×k; and how many labels
    // there are (the largest label + 1). Leave-one-out: a query i of the references themselves skips reference i.
    static (long[] Labels, int Classes) NeighbourLabels(Tensor references, Tensor labels, Tensor queries, int k, bool leaveOneOut)
    {
        if (references.dim() != 2 || queries.dim() != 2 || references.shape[1] != queries.shape[1])
            throw new ArgumentException($"kNN needs references N×d and queries M×d of the same d; got [{string.Join(",", references.shape)}] and " +
                $"[{string.Join(",", queries.shape)}].");
        CheckLabels(references, labels, nameof(labels));
        long n = references.shape[0], available = leaveOneOut ? n - 1 : n;
        if (k < 1 || k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {available}] for {n} reference " +
                $"points{(leaveOneOut ? " (leave-one-out)" : "")}.");
        using var _ = torch.NewDisposeScope();
        var refs = references.detach().cpu().to_type(ScalarType.Float32);
        var qs = queries.detach().cpu().to_type(ScalarType.Float32);
        var lab = labels.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        long m = qs.shape[0];
        var result = new long[m * k];
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
            for (long t = 0; t < nearest.Length; t++) result[i0 * k + t] = lab[nearest[t]];
        }
        NativeMemoryTuning.TrimHeap();
        return (result, lab.Length == 0 ? 0 : (int)lab.Max() + 1);
    }

    /// <summary>Majority label of neighbours' labels sorted nearest first; ties go to the tied label seen first (nearest).</summary>
    static (long Label, int Votes) Vote(ReadOnlySpan<long> neighbourLabels)
    {
        var counts = new Dictionary<long, int>();
        foreach (var y in neighbourLabels) counts[y] = counts.GetValueOrDefault(y) + 1;
        int best = counts.Values.Max();
        foreach (var y in neighbourLabels) if (counts[y] == best) return (y, best);
        throw new InvalidOperationException("unreachable: no neighbours");
    }

    static void CheckLabels(Tensor x, Tensor y, string name)
    {
        if (y.dim() != 1 || y.shape[0] != x.shape[0])
            throw new ArgumentException($"{name} must be a vector with one label per row ({x.shape[0]}); got [{string.Join(",", y.shape)}].", name);
    }
}
