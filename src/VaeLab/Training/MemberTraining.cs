using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>One member's loss and the terms it records, each a tensor of K values (one per member).</summary>
/// <param name="Loss">What each member minimises; the step minimises the sum over the members still running.</param>
/// <param name="Recorded">The terms kept in each member's history, in this order (the loss only when named here too).</param>
public sealed record MemberTerms(Tensor Loss, IReadOnlyDictionary<string, Tensor> Recorded);

/// <summary>A member's record after <see cref="MemberTraining.Run"/>, and why it stopped early (null: it ran to the end).</summary>
public sealed record MemberOutcome(History History, NonFiniteLossException? Diverged);

/// <summary>
/// K independent runs of one architecture trained as one: a module that holds the members as stacked parameters
/// (member-major: member k's part of every parameter is the k-th of K equal blocks, as in
/// <see cref="Nn.Batched.BatchedLinear"/>), one batch of K×B rows per step (member k's rows from its own loader),
/// one backward pass of the summed member losses and one optimizer step. Adam's update is per element, so a member
/// moves as it would alone. Each member keeps its own history and its own non-finite guard: a member whose loss or a
/// recorded term is NaN or infinite stops alone (its gradients are zeroed from then on and its record ends at its
/// last finite step), and the others go on.
/// </summary>
public static class MemberTraining
{
    /// <param name="names">Member names (progress and error messages).</param>
    /// <param name="loaders">One loader per member, over the same rows, each with its member's seed.</param>
    /// <param name="epochs">Passes over the rows.</param>
    /// <param name="module">The module holding the members' stacked parameters.</param>
    /// <param name="optimizer">Over <paramref name="module"/>'s parameters.</param>
    /// <param name="step">Forward of one stacked batch (K×B×…) at the context's step; returns the members' terms.</param>
    /// <param name="recordSteps">Also keep per-step values in each history.</param>
    /// <param name="beforeStep">Called before each step with the global step number and which members still run (evaluations).</param>
    public static MemberOutcome[] Run(IReadOnlyList<string> names, IReadOnlyList<BatchLoader> loaders, int epochs, nn.Module module,
        optim.Optimizer optimizer, Func<Tensor, StepContext, MemberTerms> step, bool recordSteps = false, Action<int, bool[]>? beforeStep = null)
    {
        int count = names.Count;
        if (count < 1 || loaders.Count != count)
            throw new ArgumentException($"{names.Count} member names and {loaders.Count} loaders; give one loader per member, at least one.",
                nameof(loaders));
        string label = count == 1 ? names[0] : $"{count} runs in one batch ({names[0]} … {names[^1]})";
        int perEpoch = loaders[0].BatchesPerEpoch;
        if (loaders.Any(l => l.BatchesPerEpoch != perEpoch))
            throw new ArgumentException($"{label}: the members' loaders give different numbers of batches per epoch; they must cover the same rows.",
                nameof(loaders));
        var histories = names.Select(_ => new History()).ToArray();
        var diverged = new NonFiniteLossException?[count];
        var lastFinite = names.Select(_ => new Dictionary<string, double>()).ToArray();
        var sums = names.Select(_ => new Dictionary<string, double>()).ToArray();
        var counted = new int[count];
        bool Active(int k) => diverged[k] is null;

        IEnumerable<Batch> Batches(int epoch)
        {
            var epochs = loaders.Select(l => l.Epoch(epoch).GetEnumerator()).ToArray();
            try
            {
                while (epochs.All(e => e.MoveNext()))
                {
                    if (!Enumerable.Range(0, count).Any(Active)) yield break;
                    var batch = epochs.Select(e => e.Current).ToArray();
                    var x = torch.stack(batch.Select(b => b.X).ToArray());
                    var rows = batch[0].Rows.clone();
                    foreach (var b in batch) b.Dispose();
                    yield return new Batch(x, null, rows);
                }
            }
            finally { foreach (var e in epochs) e.Dispose(); }
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            TrainLoop.Run(label, epochs, perEpoch, Batches, (batch, ctx) =>
            {
                beforeStep?.Invoke(ctx.Step, diverged.Select(d => d is null).ToArray());
                var terms = step(batch.X, ctx);
                var recorded = terms.Recorded.Keys.ToArray();
                // (1 + terms)×K values in one transfer: the loss first, then the recorded terms.
                var values = torch.stack(new[] { terms.Loss }.Concat(recorded.Select(n => terms.Recorded[n])).Select(t => t.detach().reshape(count))
                    .ToArray()).cpu().data<float>().ToArray();
                var termNames = new[] { "loss" }.Concat(recorded).ToArray();
                for (int k = 0; k < count; k++)
                {
                    if (!Active(k)) continue;
                    int bad = Enumerable.Range(0, termNames.Length).FirstOrDefault(t => !float.IsFinite(values[t * count + k]), -1);
                    if (bad >= 0) diverged[k] = new NonFiniteLossException(names[k], ctx.Step, termNames[bad], values[bad * count + k],
                        new Dictionary<string, double>(lastFinite[k]));
                }
                var active = Enumerable.Range(0, count).Where(Active).ToArray();
                if (active.Length == 0) throw diverged.First(e => e != null)!;  // the loop reports "stopped: non-finite loss"
                var objective = active.Length == count ? terms.Loss.sum()
                    : torch.where(torch.tensor(Enumerable.Range(0, count).Select(Active).ToArray()).to(terms.Loss.device), terms.Loss,
                        torch.zeros_like(terms.Loss)).sum();
                foreach (var p in module.parameters()) { using var g = p.grad; if (g is not null) p.grad = null; }
                objective.backward();
                if (active.Length < count)
                    using (torch.no_grad())
                        foreach (var p in module.parameters())
                            for (int k = 0; k < count; k++)
                                if (!Active(k)) p.grad?.view(count, -1)[k].zero_();  // a stopped member's (NaN) gradients reach no update
                optimizer.step();
                var shown = new Dictionary<string, Tensor>();
                foreach (var k in active)
                {
                    var v = new Dictionary<string, double>();
                    for (int t = 1; t < termNames.Length; t++) v[termNames[t]] = values[t * count + k];
                    if (recordSteps) histories[k].AddStep(v);
                    foreach (var (name, value) in v) { sums[k][name] = sums[k].GetValueOrDefault(name) + value; lastFinite[k][name] = value; }
                    counted[k]++;
                    if (count == 1) foreach (var (name, value) in v) shown[name] = torch.tensor((float)value);
                    else shown[$"loss #{k + 1}"] = torch.tensor(values[k]);
                }
                return shown;
            }, onEpochEnd: (_, _) =>
            {
                for (int k = 0; k < count; k++)
                    if (counted[k] > 0)
                    {
                        histories[k].AddEpoch(sums[k].ToDictionary(kv => kv.Key, kv => kv.Value / counted[k]));
                        sums[k].Clear(); counted[k] = 0;
                    }
            });
        }
        catch (NonFiniteLossException) when (!Enumerable.Range(0, count).Any(Active)) { }  // every member stopped: each is reported in its outcome
        double seconds = clock.Elapsed.TotalSeconds;
        for (int k = 0; k < count; k++)
        {
            histories[k].Seconds = seconds / count;  // each member's share of the batch
            if (diverged[k] is { } e && count > 1)
                Console.WriteLine($"{names[k]}: stopped at step {e.Step}, loss term '{e.Term}' not finite; the other runs of its batch went on.");
        }
        return Enumerable.Range(0, count).Select(k => new MemberOutcome(histories[k], diverged[k])).ToArray();
    }

    /// <summary>
    /// Returns when every run ran to the end (each Diverged is null); otherwise throws one
    /// <see cref="NonFiniteLossException"/> naming each run that stopped (the others are trained and cached, so running
    /// the cell again trains only those).
    /// </summary>
    public static void ThrowIfAnyDiverged(IEnumerable<(string Name, NonFiniteLossException? Diverged)> runs)
    {
        var stopped = runs.Where(r => r.Diverged != null).ToList();
        if (stopped.Count == 0) return;
        if (stopped.Count == 1) throw stopped[0].Diverged!;
        var first = stopped[0].Diverged!;
        throw new NonFiniteLossException($"{stopped.Count} runs ({string.Join("; ", stopped.Select(r => $"{r.Name} at step {r.Diverged!.Step}"))})",
            first.Step, first.Term, double.NaN, first.LastFinite);
    }
}
