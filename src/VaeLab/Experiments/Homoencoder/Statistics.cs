namespace VaeLab.Experiments.Homoencoder;

/// <summary>Plain statistics of number sequences.</summary>
public static class Statistics
{
    /// <summary>
    /// Pearson's correlation of paired values; NaN when there are fewer than 2 pairs or either side is constant
    /// (the correlation is undefined there, and a NaN is reported as such rather than as 0).
    /// </summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Pearson needs paired values; got {a.Count} and {b.Count}.", nameof(b));
        if (a.Count < 2) return double.NaN;
        double ma = a.Average(), mb = b.Average();
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return va == 0 || vb == 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }
}
