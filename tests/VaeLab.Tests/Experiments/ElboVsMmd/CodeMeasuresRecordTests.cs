using TorchSharp;
using VaeLab.Experiments.ElboVsMmd;
using VaeLab.Reporting;

namespace VaeLab.Tests.Experiments.ElboVsMmd;

public class CodeMeasuresRecordTests
{
    [Fact]
    public void MeasureGathersTheSingleMeasuresAndRecordWritesOneRowEach()
    {
        Lab.Setup(seed: 6);
        var codes = torch.randn(40, 2);
        var labels = torch.tensor(Enumerable.Range(0, 40).Select(i => (long)(i % 2)).ToArray());
        var refCodes = torch.randn(30, 2);
        var refLabels = torch.tensor(Enumerable.Range(0, 30).Select(i => (long)(i % 2)).ToArray());
        var samples = torch.rand(5, 1, 28, 28);
        var m = CodeMeasures.Measure(codes, labels, refCodes, refLabels, samples, knnK: 3);
        Assert.Equal(CodeMeasures.PriorKs(codes), m.PriorKs, 12);
        Assert.Equal(CodeMeasures.Separation(codes, labels), m.Separation, 12);
        Assert.Equal(ImageMetrics.GradientEnergy(samples), m.GradientEnergy, 12);
        Assert.Equal(VaeLab.Metrics.Knn.Accuracy(refCodes, refLabels, codes, labels, 3), m.KnnAccuracy, 12);
        Assert.Equal((5, 30, 3, 2), (m.Samples, m.KnnReferences, m.KnnK, m.KsPerDimension.Count));

        var metrics = new MetricSet();
        CodeMeasures.Record(metrics, "model", m, "note");
        Assert.Equal(8, metrics.Items.Count);
        Assert.All(metrics.Items, x => Assert.StartsWith("model: ", x.Name));
        Assert.Equal("note", metrics.Items[^1].Note);
        Assert.Equal("30 training codes vote", metrics.Items.Single(x => x.Name.Contains("kNN")).Note);
    }
}
