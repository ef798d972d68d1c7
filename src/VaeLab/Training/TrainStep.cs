using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>The end of every training step or phase, in one place: guard the loss, clear, backpropagate, step.</summary>
public static class TrainStep
{
    /// <summary>
    /// Returns false, updating nothing, when <paramref name="guard"/> rejects <paramref name="loss"/> as non-finite
    /// (<see cref="StepContext.Finite"/>; a null guard accepts every loss). Otherwise clears the gradients of the
    /// <paramref name="optimizers"/>' parameters, backpropagates <paramref name="loss"/>, steps each optimizer and
    /// returns true.
    /// </summary>
    /// <remarks>
    /// Gradients are cleared to none, not zero, right before the backward pass. So a parameter that this loss does
    /// not reach keeps no gradient and Adam leaves it and its moments alone (an AAE phase that trains one head of a
    /// shared encoder relies on this), and gradients that another phase left in modules stepped by other optimizers
    /// never leak into this update.
    /// </remarks>
    public static bool Update(StepContext? guard, string term, Tensor loss, params optim.Optimizer[] optimizers)
    {
        if (guard != null && !guard.Finite(term, loss)) return false;
        foreach (var o in optimizers)
            foreach (var p in o.parameters())
            {
                using var g = p.grad;
                if (g is not null) p.grad = null;
            }
        loss.backward();
        foreach (var o in optimizers) o.step();
        return true;
    }
}
