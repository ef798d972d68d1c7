using VaeLab.Reporting.Pages;

namespace VaeLab.Tests.Reporting;

/// <summary>The page `vaelab run` and exported apps share: facts, claims and metrics tables, cells and outputs.</summary>
public class NotebookPageHtmlTests
{
    [Fact]
    public void A_page_shows_facts_claims_cells_and_outputs()
    {
        var run = new PageRun("error", "smoke", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), TimeSpan.FromSeconds(12.34), 1_500_000_000,
            ["profile = \"smoke\""], [new PageDataset("mnist", "mnist-10k", "repository")], "cell 3: Boom: it broke", ["low data"],
            [new PageClaim("A < B", "ratio", 0.5, "< 1", "passed"), new PageClaim("C", "c", 2, "≤ 1", "failed"), new PageClaim("D", "d", 1, "≥ 0", "not-judged")],
            [new PageMetric("loss", 1.25, "nats")]);
        var page = new NotebookPage("01-x", "<a href=\"index.html\">back</a>", run,
        [
            new PageCell("markdown", "# Heading\n\nSome *text*."),
            new PageCell("code", "var x = 1 < 2;", "In [1] (cell 2)", [NotebookPageHtml.StreamOutput("stdout", "a<b"), NotebookPageHtml.DisplayOutput("<p>html</p>", null, "plain")]),
            new PageCell("raw", "raw <text>"),
        ]);
        var html = NotebookPageHtml.Render(page);
        Assert.Contains("<title>01-x — VaeLab</title>", html);
        Assert.Contains("<p class=\"muted\"><a href=\"index.html\">back</a></p>", html);
        Assert.Contains("<tr><th>status</th><td><span class=\"bad\">error</span></td></tr>", html);
        Assert.Contains("<tr><th>duration</th><td>12.3 s</td></tr><tr><th>peak memory</th><td>1.50 GB</td></tr>", html);
        Assert.Contains("<tr><th>error</th><td class=\"bad\">cell 3: Boom: it broke</td></tr>", html);
        Assert.Contains("<tr><th>claims</th><td>1 of 2 claims held (1 passed, 1 failed, 1 not judged)</td></tr>", html);
        Assert.Contains("<td><span class=\"bad\">FAILED</span></td>", html);
        Assert.Contains("<tr><td style=\"text-align:left\">loss</td><td>1.25</td><td style=\"text-align:left\">nats</td></tr>", html);
        Assert.Contains("<h1 id=\"heading\">Heading</h1>", html);
        Assert.Contains("<em>text</em>", html);
        Assert.Contains("<div class=\"prompt\">In [1] (cell 2)</div><pre class=\"src\"><code>var x = 1 &lt; 2;</code></pre>", html);
        Assert.Contains("<div class=\"output\"><pre class=\"stdout\">a&lt;b</pre></div>", html);
        Assert.Contains("<div class=\"output\"><p>html</p></div>", html);
        Assert.Contains("<pre>raw &lt;text&gt;</pre>", html);
        Assert.DoesNotContain("katex", html);  // no math, no KaTeX
    }

    [Fact]
    public void Math_brings_katex_inline()
    {
        var run = new PageRun("ok", "default", DateTimeOffset.Now, TimeSpan.Zero, null, [], [], null, [], [], []);
        var html = NotebookPageHtml.Render(new NotebookPage("m", "", run, [new PageCell("markdown", "Inline $x^2$.")]));
        Assert.Contains("class=\"math\"", html);
        Assert.Contains("katex.render", html);
        Assert.Contains("<tr><th>peak memory</th><td>?</td></tr>", html);
    }

    [Theory]
    [InlineData(0, 0, 0, "no claims recorded")]
    [InlineData(3, 0, 0, "3 claim(s) recorded, not judged")]
    [InlineData(5, 4, 3, "3 of 4 claims held")]
    public void The_claims_line(int total, int judged, int held, string expected) =>
        Assert.Equal(expected, NotebookPageHtml.ClaimsLine(total, judged, held));
}
