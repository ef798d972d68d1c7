using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using VaeLab.Losses;

namespace VaeLab.Experiments.Gaussians;

/// <summary>
/// What <see cref="GaussianVae"/> returns for a batch of B inputs and n_z latent samples each:
/// q(z|x) = N(ZMean, exp(ZLogVar)) (B×d_z), the samples Z (B×n_z×d_z), and p(x|z) = N(XMean, exp(XLogVar))
/// for every sample (B×n_z×d_x).
/// </summary>
public sealed record GaussianVaeOutput(Tensor ZMean, Tensor ZLogVar, Tensor Z, Tensor XMean, Tensor XLogVar);

/// <summary>
/// Notebook 01's VAE, the document's VariationalAutoEncoder with its bugs fixed: one hidden ReLU layer each way,
/// a Gaussian posterior q(z|x) and a Gaussian likelihood p(x|z) whose mean and log-variance both come from the
/// network (log-variance rather than abs(σ): positive by construction and smooth, see the notebook).
/// </summary>
public sealed class GaussianVae : Module<Tensor, GaussianVaeOutput>
{
    readonly Linear inputHidden, hiddenPosterior, latentHidden, hiddenLikelihood;

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int LatentDim { get; }
    /// <summary>Latent samples per input in <see cref="forward"/> (the document's n_sample_z).</summary>
    public int SamplesZ { get; }

    public GaussianVae(int inputSize = 2, int hiddenSize = 10, int latentDim = 1, int samplesZ = 3) : base(nameof(GaussianVae))
    {
        if (inputSize < 1 || hiddenSize < 1 || latentDim < 1 || samplesZ < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"GaussianVae sizes must be ≥ 1; got input {inputSize}, hidden {hiddenSize}, latent {latentDim}, n_sample_z {samplesZ}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        LatentDim = latentDim;
        SamplesZ = samplesZ;
        inputHidden = Linear(inputSize, hiddenSize);
        hiddenPosterior = Linear(hiddenSize, 2 * latentDim);
        latentHidden = Linear(latentDim, hiddenSize);
        hiddenLikelihood = Linear(hiddenSize, 2 * inputSize);
        RegisterComponents();
    }

    /// <summary>The encoder's parameters φ (those of q(z|x)), e.g. for gradient-estimator comparisons.</summary>
    public IEnumerable<Parameter> EncoderParameters() => inputHidden.parameters().Concat(hiddenPosterior.parameters());

    /// <summary>q(z|x): mean and log-variance, each N×d_z.</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        var chunks = hiddenPosterior.call(functional.relu(inputHidden.call(x))).chunk(2, -1);
        return (chunks[0], chunks[1]);
    }

    /// <summary>p(x|z): mean and log-variance, each …×d_x for z of shape …×d_z.</summary>
    public (Tensor Mean, Tensor LogVar) Decode(Tensor z)
    {
        var chunks = hiddenLikelihood.call(functional.relu(latentHidden.call(z))).chunk(2, -1);
        return (chunks[0], chunks[1]);
    }

    /// <summary>The outputs with z drawn from the global generator.</summary>
    public override GaussianVaeOutput forward(Tensor x) =>
        Forward(x, torch.randn(new[] { x.shape[0], SamplesZ, LatentDim }, device: x.device));

    /// <summary>The outputs with z = μ + σ·<paramref name="eps"/> (eps B×n_z×d_z standard normal), by
    /// reparameterization, so the ELBO's gradient reaches the encoder.</summary>
    public GaussianVaeOutput Forward(Tensor x, Tensor eps)
    {
        var (zMean, zLogVar) = Encode(x);
        var z = zMean.unsqueeze(1) + (0.5 * zLogVar).exp().unsqueeze(1) * eps;
        var (xMean, xLogVar) = Decode(z);
        return new GaussianVaeOutput(zMean, zLogVar, z, xMean, xLogVar);
    }

    /// <summary>
    /// Ancestral samples from the model: z ~ N(0, I), then x ~ p(x|z). Returns N×d_x, without gradients;
    /// the module's train/eval mode is left as it was.
    /// </summary>
    public Tensor Sample(int n, Device? device = null)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of samples must be ≥ 0.");
        using var scope = torch.NewDisposeScope();
        using var _ = VaeLab.Training.Inference.Evaluating(this);
        var dev = device ?? inputHidden.weight!.device;
        var z = torch.randn(new long[] { n, LatentDim }, device: dev);
        var (mean, logVar) = Decode(z);
        return Gaussian.Reparameterize(mean, logVar).MoveToOuterDisposeScope();
    }
}
