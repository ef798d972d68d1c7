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
}
