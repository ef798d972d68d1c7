using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>
/// Analytic FLOPs of a forward pass, counted from the shapes each Linear, Conv2d and ConvTranspose2d layer actually
/// sees (a multiply-add is 2 FLOPs; element-wise ops are ignored, they are a small share for these models).
/// A training step is about 3× the forward (forward + backward for inputs and weights).
/// </summary>
public static class Flops
{
    /// <summary>FLOPs of one forward of <paramref name="forward"/> (which may call several modules of <paramref name="model"/>).</summary>
    public static double Forward(nn.Module model, Action forward)
    {
        double total = 0;
        var removers = new List<Action>();
        foreach (var (_, m) in model.named_modules().Prepend(("", model)))
        {
            if (m is not nn.Module<Tensor, Tensor> tm) continue;
            Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>? hook = m switch
            {
                Linear lin => (_, input, output) => { total += 2.0 * (input.numel() / lin.in_features) * lin.in_features * lin.out_features; return output; },
                ConvTranspose2d ct => (_, input, output) => { var w = ct.weight!.shape; total += 2.0 * input.numel() * w[1] * w[2] * w[3]; return output; },
                Conv2d conv => (_, input, output) => { var w = conv.weight!.shape; total += 2.0 * output.numel() * w[1] * w[2] * w[3]; return output; },
                _ => null,
            };
            if (hook != null) { var r = tm.register_forward_hook(hook); removers.Add(r.remove); }
        }
        try
        {
            using (torch.no_grad()) forward();
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return total;
    }

    /// <summary>Forward + backward ≈ 3 × forward.</summary>
    public static double TrainingStep(nn.Module model, Action forward) => 3 * Forward(model, forward);
}
