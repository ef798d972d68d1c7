namespace VaeLab.Experiments.Collapse;

/// <summary>
/// A KL weight β as a function of the training step. Schedules are defined on fractions of the run (step /
/// totalSteps), so the same schedule describes a 30-step smoke run and a 20-epoch paper run.
/// </summary>
public abstract record BetaSchedule
{
    /// <summary>β at 0-based <paramref name="step"/> of a run of <paramref name="totalSteps"/> steps.</summary>
    public double At(int step, int totalSteps)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
            "totalSteps must be ≥ 1 (the number of optimizer steps in the run).");
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be ≥ 0.");
        return Compute(step, totalSteps);
    }

    protected abstract double Compute(int step, int totalSteps);

    /// <summary>One line for legends and tables.</summary>
    public abstract string Describe();

    protected static void CheckFraction(double f, string name)
    {
        if (!(f >= 0 && f <= 1)) throw new ArgumentOutOfRangeException(name, f, $"{name} is a fraction of the run and must be in [0, 1].");
    }
}

/// <summary>β fixed at <see cref="Value"/> (β = 0: a plain autoencoder; β = 1: the ELBO).</summary>
public sealed record ConstantBeta(double Value) : BetaSchedule
{
    protected override double Compute(int step, int totalSteps) => Value;
    public override string Describe() => $"β = {Value:G3}";
}

/// <summary>
/// Delayed linear warm-up (KL annealing, Bowman et al. 2016 §3.1): β = 0 for the first <see cref="WarmupFraction"/>
/// of the run, then rises linearly to <see cref="Max"/> over the next <see cref="RampFraction"/>, then stays there.
/// </summary>
public sealed record DelayedLinearBeta(double WarmupFraction, double RampFraction, double Max = 1.0) : BetaSchedule
{
    protected override double Compute(int step, int totalSteps)
    {
        CheckFraction(WarmupFraction, nameof(WarmupFraction));
        CheckFraction(RampFraction, nameof(RampFraction));
        double t = (double)step / totalSteps;
        if (t < WarmupFraction) return 0.0;
        if (RampFraction == 0) return Max;
        return Max * Math.Min(1.0, (t - WarmupFraction) / RampFraction);
    }

    public override string Describe() => $"delayed linear: β = 0 for {WarmupFraction:P0}, ramp to {Max:G3} over {RampFraction:P0}";
}

/// <summary>
/// Cyclical annealing (Fu et al. 2019, eq. 6): the run is split into <see cref="Cycles"/> cycles of length T/M; within
/// each, τ = mod(t, ⌈T/M⌉) / (T/M) and β = τ / R · Max while τ ≤ R, else Max. (t is 0-based here; the paper's is
/// 1-based with t − 1 in the mod, which is the same.)
/// </summary>
public sealed record CyclicalBeta(int Cycles = 4, double Ratio = 0.5, double Max = 1.0) : BetaSchedule
{
    protected override double Compute(int step, int totalSteps)
    {
        if (Cycles < 1) throw new ArgumentOutOfRangeException(nameof(Cycles), Cycles, "Cycles (M) must be ≥ 1.");
        if (!(Ratio > 0 && Ratio <= 1)) throw new ArgumentOutOfRangeException(nameof(Ratio), Ratio,
            "Ratio (R) is the increasing fraction of a cycle and must be in (0, 1].");
        double cycleLength = (double)totalSteps / Cycles;
        double tau = step % (int)Math.Ceiling(cycleLength) / cycleLength;
        return tau <= Ratio ? Max * tau / Ratio : Max;
    }

    public override string Describe() => $"cyclical: M = {Cycles}, R = {Ratio:0.##}";
}
