using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Training;

namespace VaeLab.Experiments.Aae;

/// <summary>
/// The outcome of a <see cref="ClassifierTwoSampleTest"/>.
/// </summary>
/// <param name="HeldOutAccuracy">Accuracy of the fresh classifier on the held-out halves (equal counts of each sample): ½ is chance.</param>
/// <param name="TrainPerSample">Points of each sample the classifier was trained on.</param>
/// <param name="HeldOutPerSample">Points of each sample it was scored on.</param>
/// <param name="TrainAccuracy">Its accuracy on the points it was trained on (for contrast: overfitting shows as train ≫ held-out).</param>
public sealed record TwoSampleResult(double HeldOutAccuracy, int TrainPerSample, int HeldOutPerSample, double TrainAccuracy)
{
    /// <summary>Binomial standard error of the held-out accuracy when the two samples come from one distribution: √(¼ / (2·held-out)).</summary>
    public double ChanceStandardError => Math.Sqrt(0.25 / (2.0 * HeldOutPerSample));

    /// <summary>(held-out accuracy − ½) in units of <see cref="ChanceStandardError"/>.</summary>
    public double ZScore => (HeldOutAccuracy - 0.5) / ChanceStandardError;
}

/// <summary>
/// A classifier two-sample test (Lopez-Paz and Oquab, 2017): a fresh MLP learns to tell sample A (label 0) from
/// sample B (label 1) on half of each, and its accuracy on the other halves says how distinguishable they are.
/// ½ means it cannot tell them apart; the best possible classifier reaches ½ + ½·TV(A, B). Unlike an AAE's own
/// discriminator, which its encoder was trained to fool, this one has never been played against.
/// </summary>
public static class ClassifierTwoSampleTest
{
    /// <summary>
    /// Runs the test on the rows of <paramref name="a"/> and <paramref name="b"/> (N×d and M×d): min(N, M) rows of
    /// each, shuffled with <paramref name="seed"/>, half of them for training and half held out. Inputs are
    /// standardised with the training half's per-dimension mean and std. The classifier is d → hidden → hidden → 1
    /// (ReLU), trained full-batch with Adam on the logistic loss for <paramref name="steps"/> steps; weights and split
    /// come from <paramref name="seed"/> alone (torch's global generator is saved and restored).
    /// </summary>
    public static TwoSampleResult Run(Tensor a, Tensor b, int seed, int hidden = 64, int steps = 1000, double learningRate = 3e-3)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"The two samples must be N×d and M×d with the same d; got [{string.Join(",", a.shape)}] and " +
                $"[{string.Join(",", b.shape)}].");
        long n = Math.Min(a.shape[0], b.shape[0]);
        if (n < 4) throw new ArgumentException($"Each sample needs at least 4 rows (2 to train on, 2 to hold out); got {a.shape[0]} and {b.shape[0]}.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "hidden must be ≥ 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 1.");
        long nTrain = n / 2, nTest = n - nTrain;

        using var scope = torch.NewDisposeScope();
        using var saved = Lab.SaveRng();
        try
        {
            torch.manual_seed(seed);
            using var g = new torch.Generator(unchecked((ulong)seed + 7_777));
            var xa = a.detach().cpu().to_type(ScalarType.Float32).index_select(0, torch.randperm(a.shape[0], generator: g)).narrow(0, 0, n);
            var xb = b.detach().cpu().to_type(ScalarType.Float32).index_select(0, torch.randperm(b.shape[0], generator: g)).narrow(0, 0, n);
            var trainX = torch.cat(new[] { xa.narrow(0, 0, nTrain), xb.narrow(0, 0, nTrain) }, 0);
            var testX = torch.cat(new[] { xa.narrow(0, nTrain, nTest), xb.narrow(0, nTrain, nTest) }, 0);
            var trainY = torch.cat(new[] { torch.zeros(nTrain), torch.ones(nTrain) }, 0).unsqueeze(1);
            var testY = torch.cat(new[] { torch.zeros(nTest), torch.ones(nTest) }, 0).unsqueeze(1);
            var mean = trainX.mean(new long[] { 0 }, keepdim: true);
            var std = trainX.std(0, keepdim: true).clamp_min(1e-12);
            trainX = (trainX - mean) / std;
            testX = (testX - mean) / std;

            int d = (int)a.shape[1];
            // Disposed here, not left to the finalizer thread (environment.md, "TorchSharp and the garbage collector").
            using var net = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1));
            using var opt = Optimizers.Adam(net.parameters(), learningRate);  // fused: TorchSharp's Adam races the GC on its implicit Scalars (environment.md)
            net.train();
            for (int s = 0; s < steps; s++)
            {
                using var step = torch.NewDisposeScope();
                opt.zero_grad();
                var loss = nn.functional.binary_cross_entropy_with_logits(net.call(trainX), trainY);
                loss.backward();
                opt.step();
            }
            double Accuracy(Tensor x, Tensor y)
            {
                using var _ = Inference.Evaluating(net);
                return (net.call(x) > 0).to_type(ScalarType.Float32).eq(y).to_type(ScalarType.Float64).mean().item<double>();
            }
            return new TwoSampleResult(Accuracy(testX, testY), (int)nTrain, (int)nTest, Accuracy(trainX, trainY));
        }
        finally
        {
            Lab.RestoreRng(saved);
        }
    }
}
