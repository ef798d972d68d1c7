using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Experiments.Aae;

/// <summary>The end of every AAE phase: guard the loss, then backpropagate and step the phase's own optimizers.</summary>
static class AaePhases
{
    /// <summary>
    /// False (nothing updated) when <paramref name="finite"/> rejects the loss; otherwise backpropagates
    /// <paramref name="loss"/>, steps <paramref name="optimizers"/> and returns true.
    /// </summary>
    public static bool Update(string term, Tensor loss, Func<string, Tensor, bool>? finite, params optim.Optimizer[] optimizers)
    {
        if (finite != null && !finite(term, loss)) return false;
        loss.backward();
        foreach (var o in optimizers) o.step();
        return true;
    }

    /// <summary>The phase's result: the detached loss after an update, the loss as it was when skipped.</summary>
    public static PhaseResult Result(Tensor loss, bool updated) => new(updated ? loss.detach() : loss, updated);
}
