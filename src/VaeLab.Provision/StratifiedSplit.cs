namespace VaeLab.Provision;

/// <summary>One item of a per-class collection: its class and its index within that class.</summary>
public readonly record struct ClassItem(int Class, int Index);

/// <summary>
/// A fixed, seeded, stratified train/test split of per-class collections. Each class gives the test set its share
/// of <c>testCount</c> (floor of the proportional share, the remaining places to the largest remainders, ties to the
/// lower class), chosen by a seeded shuffle of that class; both sets are then shuffled, so any prefix mixes the
/// classes. The generator is SplitMix64, spelled out here, so the split is the same on every runtime and platform.
/// </summary>
public sealed record StratifiedSplit(ClassItem[] Train, ClassItem[] Test)
{
    /// <summary>Splits classes of <paramref name="classCounts"/> items into exactly <paramref name="testCount"/>
    /// test items and the rest for training.</summary>
    public static StratifiedSplit Make(IReadOnlyList<int> classCounts, int testCount, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        if (classCounts.Any(n => n < 0))
            throw new ArgumentException("Class counts must be ≥ 0.", nameof(classCounts));
        long total = classCounts.Sum(n => (long)n);
        if (testCount < 0 || testCount > total)
            throw new ArgumentOutOfRangeException(nameof(testCount), testCount, $"The test set must hold 0 to {total} items (all there are).");

        var perClass = TestShares(classCounts, testCount, total);
        var rng = new SplitMix64(seed);
        var train = new List<ClassItem>();
        var test = new List<ClassItem>();
        for (int c = 0; c < classCounts.Count; c++)
        {
            var order = Enumerable.Range(0, classCounts[c]).ToArray();
            rng.Shuffle(order);
            for (int i = 0; i < order.Length; i++)
                (i < perClass[c] ? test : train).Add(new ClassItem(c, order[i]));
        }
        var trainArray = train.ToArray();
        var testArray = test.ToArray();
        rng.Shuffle(trainArray);
        rng.Shuffle(testArray);
        return new StratifiedSplit(trainArray, testArray);
    }

    /// <summary>Largest-remainder apportionment of <paramref name="testCount"/> over the classes.</summary>
    static int[] TestShares(IReadOnlyList<int> counts, int testCount, long total)
    {
        var shares = new int[counts.Count];
        if (total == 0) return shares;
        var remainders = new long[counts.Count];
        int given = 0;
        for (int c = 0; c < counts.Count; c++)
        {
            long scaled = (long)counts[c] * testCount;
            shares[c] = (int)(scaled / total);
            remainders[c] = scaled % total;
            given += shares[c];
        }
        foreach (int c in Enumerable.Range(0, counts.Count).OrderByDescending(c => remainders[c]).ThenBy(c => c).Take(testCount - given))
            shares[c]++;
        return shares;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014): tiny, fast and fully specified.</summary>
    sealed class SplitMix64(ulong seed)
    {
        ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Fisher–Yates; the modulo's bias is below 1e-15 for the sizes used here.</summary>
        public void Shuffle<T>(T[] items)
        {
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = (int)(Next() % (ulong)(i + 1));
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
