using VaeLab.Reporting;

namespace VaeLab.Tests.Reporting;

public class ClaimSetTests
{
    [Fact]
    public void AClaimIsJudgedByItsBoundOutsideSmoke()
    {
        var claims = new ClaimSet("t", "default");
        Assert.Equal(Verdict.Passed, claims.Check("small", "x", 0.05, Bound.LessThan(0.1)).Verdict);
        Assert.Equal(Verdict.Failed, claims.Check("small", "x", 0.2, Bound.LessThan(0.1)).Verdict);
        Assert.Equal(Verdict.Failed, claims.Check("small", "x", double.NaN, Bound.LessThan(0.1)).Verdict);
        Assert.Equal(Verdict.NotJudged, new ClaimSet("t", "smoke").Check("small", "x", 0.05, Bound.LessThan(0.1)).Verdict);
    }

    [Fact]
    public void AClaimWhoseConditionFailsIsNotJudgedAndSaysWhy()
    {
        var claims = new ClaimSet("t", "default");
        var c = claims.CheckWhere(false, "(c) kept no code", "narrower means", "ratio", 0.01, Bound.LessThan(1), "ratio of widths");
        Assert.Equal(Verdict.NotJudged, c.Verdict);
        Assert.Equal("not judged: (c) kept no code; ratio of widths", c.Note);
        Assert.Equal(Verdict.Failed, claims.CheckWhere(true, "unused", "narrower means", "ratio", 2, Bound.LessThan(1)).Verdict);
        Assert.Contains(">not judged<", claims.ToHtml());
        Assert.DoesNotContain("(smoke)", claims.ToHtml());
    }

    [Fact]
    public void OverSeedsTheVerdictIsPassedOnAllFailedOnNoneAndMixedOnSome()
    {
        var claims = new ClaimSet("t", "default");
        var all = claims.Check("small", "x", new[] { (0, 0.01), (1, 0.05), (2, 0.09) }, Bound.LessThan(0.1));
        Assert.Equal(Verdict.Passed, all.Verdict);
        Assert.Equal(0.05, all.Measured);  // the median
        Assert.Equal([Verdict.Passed, Verdict.Passed, Verdict.Passed], all.Seeds!.Select(s => s.Verdict));
        var none = claims.Check("small", "x", new[] { (0, 0.2), (1, 0.3) }, Bound.LessThan(0.1));
        Assert.Equal(Verdict.Failed, none.Verdict);
        Assert.Equal(0.25, none.Measured, 12);  // even count: the mean of the middle two
        var some = claims.Check("small", "x", new[] { (0, 0.05), (1, 0.3), (2, 0.2) }, Bound.LessThan(0.1));
        Assert.Equal(Verdict.Mixed, some.Verdict);
        Assert.Equal(0.2, some.Measured);
        Assert.Equal([0, 1, 2], some.Seeds!.Select(s => s.Seed));
        Assert.StartsWith("seeds 0: 0.05, 1: 0.3, 2: 0.2", some.Note);
        Assert.Contains("mixed (1 of 3 seeds)", claims.ToHtml());
        Assert.Equal(Verdict.NotJudged, new ClaimSet("t", "smoke").Check("small", "x", new[] { (0, 0.05) }, Bound.LessThan(0.1)).Verdict);
        Assert.Throws<ArgumentException>(() => claims.Check("small", "x", Array.Empty<(int, double)>(), Bound.LessThan(0.1)));
    }

    [Fact]
    public void OverSeedsOnlyTheSeedsWhereTheMeasureMeansSomethingAreJudged()
    {
        var claims = new ClaimSet("t", "default");
        var some = claims.CheckWhere("no code", "narrower", "ratio", new[] { (0, 0.5, true), (1, 2.0, false), (2, 0.7, true) }, Bound.LessThan(1));
        Assert.Equal(Verdict.Passed, some.Verdict);  // seeds 0 and 2 judged, both hold
        Assert.Equal([Verdict.Passed, Verdict.NotJudged, Verdict.Passed], some.Seeds!.Select(s => s.Verdict));
        Assert.StartsWith("seed(s) 1 not judged: no code; seeds 0: 0.5, 1: 2, 2: 0.7", some.Note);
        var none = claims.CheckWhere("no code", "narrower", "ratio", new[] { (0, 0.5, false), (1, 2.0, false) }, Bound.LessThan(1));
        Assert.Equal(Verdict.NotJudged, none.Verdict);
        Assert.StartsWith("not judged: no code; seeds 0: 0.5, 1: 2", none.Note);
    }

    [Fact]
    public void TheRunLogCarriesEachSeed()
    {
        RunLog.Begin();
        new ClaimSet("t", "default").Check("small", "x", new[] { (0, 0.05), (1, 0.3) }, Bound.LessThan(0.1));
        using var doc = System.Text.Json.JsonDocument.Parse(RunLog.Current.ToJson());
        var claim = doc.RootElement.GetProperty("claims")[0];
        Assert.Equal("Mixed", claim.GetProperty("verdict").GetString());
        var seeds = claim.GetProperty("seeds").EnumerateArray().ToList();
        Assert.Equal(2, seeds.Count);
        Assert.Equal(1, seeds[1].GetProperty("seed").GetInt32());
        Assert.Equal("0.3", seeds[1].GetProperty("measured_text").GetString());
        Assert.Equal("Failed", seeds[1].GetProperty("verdict").GetString());
    }

    [Fact]
    public void ProfilesGiveOneSeedUnderSmokeAndThreeOtherwise()
    {
        Assert.Equal([0], Profiles.Seeds("smoke"));
        Assert.Equal([0, 1, 2], Profiles.Seeds("default"));
        Assert.Equal([0, 1, 2], Profiles.Seeds("paper"));
        Assert.Equal([0, 1, 2, 3, 4], Profiles.Seeds("default", 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Profiles.Seeds("default", 0));
        Assert.Throws<ArgumentException>(() => Profiles.Seeds("fast"));
    }
}
