using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>
/// Adam with TorchSharp's hyperparameters, bias correction and state, updating all of its parameters in one fused
/// pass instead of about ten element-wise kernels per parameter tensor.
/// </summary>
/// <remarks>
/// <para>
/// The parameters and both moment estimates live in three contiguous buffers; every parameter tensor, and every
/// moment tensor in TorchSharp's per-parameter <see cref="Adam.State"/>, is a view into them. So modules, the
/// checkpoint cache and <see cref="OptimizerHelper.save_state_dict(string)"/> see ordinary tensors, and loading
/// weights or optimizer state writes through the views.
/// </para>
/// <para>
/// On the CPU a step is one pass over the buffers (read gradient, moments and parameter, write moments and
/// parameter), split over torch's threads and vectorised. TorchSharp's Adam makes about eight passes per tensor,
/// each reading and writing whole arrays, so the fused pass moves about a third of the memory; on these models the
/// optimizer is memory-bound, which is why a fused pass matters more than the launch count. Other devices and dtypes
/// take the same update as torch operations over runs of adjacent parameters (one set of about eight kernels per run).
/// </para>
/// <para>
/// Gradients are read where autograd put them rather than copied into a fourth buffer: a copy would add a full pass,
/// and per-parameter gradients keep TorchSharp's rule that a parameter without a gradient (one this loss did not
/// reach, see <see cref="TrainStep.Update"/>) is skipped, its moments and step count untouched. Each parameter keeps
/// its own step count, as in TorchSharp, so bias correction matches it exactly when parameters are skipped.
/// AMSGrad and maximize are not supported (no notebook uses them); the constructor says so.
/// </para>
/// </remarks>
public sealed class FlatAdam : Adam
{
    readonly Segment[] _segments;
    readonly Tensor _params, _expAvg, _expAvgSq;

    /// <summary>Forces the torch-operations path on the CPU too (tests compare it with the fused pass).</summary>
    public bool UseTorchOps { get; set; }

    sealed record Segment(Parameter Parameter, State State, long Offset, long Length);

    public FlatAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : this(parameters.ToList(), lr, beta1, beta2, eps, weight_decay) { }

    FlatAdam(List<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay)
        : base(parameters, lr, beta1, beta2, eps, weight_decay)
    {
        if (parameters.Count == 0) throw new ArgumentException("FlatAdam needs at least one parameter.", nameof(parameters));
        if (parameters.Select(p => p.Handle).Distinct().Count() != parameters.Count)
            throw new ArgumentException("FlatAdam got the same parameter twice; pass each parameter once.", nameof(parameters));
        var first = parameters[0];
        foreach (var p in parameters)
            if (p.dtype != first.dtype || p.device_type != first.device_type || p.device_index != first.device_index)
                throw new ArgumentException($"FlatAdam keeps one buffer per optimizer, so all parameters must share a dtype and device; got {first.dtype} on " +
                    $"{first.device} and {p.dtype} on {p.device}. Move the module to one device first.", nameof(parameters));
        long total = parameters.Sum(p => p.numel());
        using var _ = torch.no_grad();
        // A second optimizer over the same parameters (the AAE's encoder has two) adopts the buffer the first one
        // made, so both update the same storage; otherwise the parameters move into a new buffer.
        bool adopt = AlreadyFlat(parameters);
        // The buffers and the state's views belong to the optimizer alone, as TorchSharp's own Adam state does
        // (detached from any dispose scope): a scope that ends while the optimizer is still in use must not free
        // them, and the finalizer thread must never touch a scope the cell's thread is using.
        using (var detached = first.detach())
            _params = (adopt
                ? detached.as_strided(new[] { total }, new[] { 1L }, first.storage_offset())
                : torch.empty(total, dtype: first.dtype, device: first.device)).DetachFromDisposeScope();
        _expAvg = torch.zeros(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
        _expAvgSq = torch.zeros(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
        var segments = new List<Segment>(parameters.Count);
        long offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            if (!adopt)
                using (var view = View(_params, offset, p.shape))
                {
                    view.copy_(p);
                    p.set_(view);  // the parameter now lives in the flat buffer (same tensor object, new storage)
                }
            var state = (State)_state[p.Handle];
            state.exp_avg.Dispose();
            state.exp_avg_sq.Dispose();
            state.exp_avg = View(_expAvg, offset, p.shape);
            state.exp_avg_sq = View(_expAvgSq, offset, p.shape);
            segments.Add(new Segment(p, state, offset, n));
            offset += n;
        }
        _segments = segments.ToArray();
    }

    /// <summary>The elements of <paramref name="buffer"/> from <paramref name="offset"/> on, shaped like a parameter;
    /// outside any dispose scope (see the constructor).</summary>
    static Tensor View(Tensor buffer, long offset, long[] shape)
    {
        using var slice = buffer.narrow(0, offset, shape.Aggregate(1L, (a, b) => a * b));
        return slice.view(shape).DetachFromDisposeScope();
    }

    /// <summary>Frees the three buffers (the parameters keep their storage) and, through Adam, the state views.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;  // the finalizer thread: each tensor's own finalizer frees it
        _params.Dispose();
        _expAvg.Dispose();
        _expAvgSq.Dispose();
    }

    /// <summary>True when the parameters already lie end to end, in this order, in one storage.</summary>
    static bool AlreadyFlat(List<Parameter> parameters)
    {
        var first = parameters[0];
        long expected = first.storage_offset();
        var basePointer = Pointer(first);
        foreach (var p in parameters)
        {
            if (!p.is_contiguous() || p.storage_offset() != expected) return false;
            if (Pointer(p) != basePointer + (nint)((expected - first.storage_offset()) * p.ElementSize)) return false;
            expected += p.numel();
        }
        return true;
    }

    /// <summary>The number of elements in the flat buffers (all parameters together).</summary>
    public long Count => _params.numel();

    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure != null)
        {
            using var enabled = torch.enable_grad();
            loss = closure();
        }
        // One parameter group: the constructor makes exactly one (its learning rate may be changed by a scheduler).
        var options = (Options)ParamGroups.Cast<ParamGroup>().Single().Options;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("FlatAdam does not implement AMSGrad or maximize; use TorchSharp's optim.Adam for those.");
        var h = new Hyper(options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.weight_decay!.Value);

        // Which parameters have a gradient this step; they alone advance (TorchSharp's Adam skips the others).
        var work = new List<(Segment Segment, Tensor Grad, long Step)>(_segments.Length);
        foreach (var s in _segments)
        {
            var g = s.Parameter.grad;
            if (g is null) continue;
            s.State.step += 1;
            work.Add((s, g, s.State.step));
        }
        try
        {
            using var noGrad = torch.no_grad();
            if (!UseTorchOps && _params.device_type == DeviceType.CPU && _params.dtype == ScalarType.Float32)
                FusedCpu(work, h);
            else
                TorchOps(work, h);
        }
        finally
        {
            foreach (var w in work) w.Grad.Dispose();
        }
        return loss!;
    }

    readonly record struct Hyper(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay);

    /// <summary>The update as torch operations over maximal runs of adjacent parameters with gradients and equal
    /// step counts (any device or dtype): one concatenation of their gradients and about eight kernels per run.</summary>
    void TorchOps(List<(Segment Segment, Tensor Grad, long Step)> work, Hyper h)
    {
        int i = 0;
        while (i < work.Count)
        {
            int j = i + 1;
            while (j < work.Count && work[j].Step == work[i].Step && work[j].Segment.Offset == work[j - 1].Segment.Offset + work[j - 1].Segment.Length) j++;
            using var scope = torch.NewDisposeScope();
            long start = work[i].Segment.Offset, length = work[j - 1].Segment.Offset + work[j - 1].Segment.Length - start;
            var g = j - i == 1 ? work[i].Grad.reshape(-1) : torch.cat(work.Skip(i).Take(j - i).Select(w => w.Grad.reshape(-1)).ToList(), 0);
            var p = _params.narrow(0, start, length);
            var m = _expAvg.narrow(0, start, length);
            var v = _expAvgSq.narrow(0, start, length);
            double bc1 = 1 - Math.Pow(h.Beta1, work[i].Step), bc2 = 1 - Math.Pow(h.Beta2, work[i].Step);
            // Named Scalars, disposed at the end of the run: an implicit one (a bare double) can be finalized by a
            // collection on another thread while libtorch still reads it (environment.md, "TorchSharp and the garbage collector").
            using Scalar wd = h.WeightDecay, b1 = h.Beta1, a1 = 1 - h.Beta1, b2 = h.Beta2, a2 = 1 - h.Beta2,
                sqrtBc2 = Math.Sqrt(bc2), eps = h.Eps, one = 1, step = -h.Lr / bc1;
            if (h.WeightDecay != 0) g = g.add(p, alpha: wd);
            m.mul_(b1).add_(g, alpha: a1);
            v.mul_(b2).addcmul_(g, g, value: a2);
            var denom = v.sqrt().div_(sqrtBc2).add_(eps, one);
            p.addcdiv_(m, denom, value: step);
            i = j;
        }
    }

    const int Chunk = 1 << 15;

    /// <summary>One pass over every parameter with a gradient, in chunks spread over torch's threads.</summary>
    unsafe void FusedCpu(List<(Segment Segment, Tensor Grad, long Step)> work, Hyper h)
    {
        var pBase = (float*)Pointer(_params);
        var mBase = (float*)Pointer(_expAvg);
        var vBase = (float*)Pointer(_expAvgSq);
        var jobs = new List<(IntPtr G, long Offset, long Length, float Step, float Bc2Sqrt)>();
        var keep = new List<Tensor>();
        foreach (var (s, grad, step) in work)
        {
            var g = grad.is_contiguous() ? grad : grad.contiguous();
            if (!ReferenceEquals(g, grad)) keep.Add(g);
            if (g.dtype != ScalarType.Float32 || g.device_type != DeviceType.CPU)
                throw new InvalidOperationException($"FlatAdam: a gradient is {g.dtype} on {g.device}, its parameter float32 on the CPU.");
            double bc1 = 1 - Math.Pow(h.Beta1, step), bc2 = 1 - Math.Pow(h.Beta2, step);
            var gp = Pointer(g);
            for (long o = 0; o < s.Length; o += Chunk)
                jobs.Add((gp + (nint)(o * sizeof(float)), s.Offset + o, Math.Min(Chunk, s.Length - o), (float)(h.Lr / bc1), (float)Math.Sqrt(bc2)));
        }
        float b1 = (float)h.Beta1, b2 = (float)h.Beta2, a1 = (float)(1 - h.Beta1), a2 = (float)(1 - h.Beta2), eps = (float)h.Eps, wd = (float)h.WeightDecay;
        int threads = Math.Max(1, Math.Min(torch.get_num_threads(), jobs.Count));
        try
        {
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            {
                var job = jobs[k];
                Update((float*)job.G, pBase + job.Offset, mBase + job.Offset, vBase + job.Offset, (int)job.Length,
                    b1, b2, a1, a2, eps, wd, job.Step, job.Bc2Sqrt);
            });
        }
        finally
        {
            foreach (var t in keep) t.Dispose();
        }
    }

    static unsafe IntPtr Pointer(Tensor t) => (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>
    /// Adam on n elements, as TorchSharp computes it: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², then
    /// p ← p − step · m / (√v / √bc₂ + ε) with step = lr / bc₁; g includes weight decay (g + wd·p).
    /// </summary>
    static unsafe void Update(float* g, float* p, float* m, float* v, int n, float b1, float b2, float a1, float a2,
        float eps, float wd, float step, float bc2Sqrt)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2);
            var va1 = new Vector<float>(a1); var va2 = new Vector<float>(a2);
            var veps = new Vector<float>(eps); var vwd = new Vector<float>(wd);
            var vstep = new Vector<float>(step); var vbc = new Vector<float>(bc2Sqrt);
            for (; i <= n - w; i += w)
            {
                var gi = Unsafe.ReadUnaligned<Vector<float>>(g + i);
                var pi = Unsafe.ReadUnaligned<Vector<float>>(p + i);
                if (wd != 0) gi += vwd * pi;
                var mi = Unsafe.ReadUnaligned<Vector<float>>(m + i) * vb1 + va1 * gi;
                var vi = Unsafe.ReadUnaligned<Vector<float>>(v + i) * vb2 + va2 * (gi * gi);
                var denom = Vector.SquareRoot(vi) / vbc + veps;
                Unsafe.WriteUnaligned(m + i, mi);
                Unsafe.WriteUnaligned(v + i, vi);
                Unsafe.WriteUnaligned(p + i, pi - vstep * (mi / denom));
            }
        }
        for (; i < n; i++)
        {
            float gi = g[i] + wd * p[i];
            float mi = m[i] * b1 + a1 * gi;
            float vi = v[i] * b2 + a2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            p[i] -= step * (mi / (MathF.Sqrt(vi) / bc2Sqrt + eps));
        }
    }
}

/// <summary>The Adam every trainer makes: <see cref="FlatAdam"/>, or TorchSharp's own for comparison.</summary>
public static class Optimizers
{
    /// <summary>
    /// True (the default): trainers use <see cref="FlatAdam"/>. False: TorchSharp's <c>optim.Adam</c>, same
    /// hyperparameters and results within float32 rounding; the benchmark measures both in one run, and
    /// <c>VAELAB_ADAM=torchsharp</c> in the environment starts a process (a kernel, <c>vaelab run</c>) with it off.
    /// </summary>
    public static bool UseFlatAdam { get; set; } =
        !string.Equals(Environment.GetEnvironmentVariable("VAELAB_ADAM"), "torchsharp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adam over <paramref name="parameters"/> with learning rate <paramref name="lr"/> (TorchSharp's other defaults).</summary>
    public static optim.Optimizer Adam(IEnumerable<Parameter> parameters, double lr) =>
        UseFlatAdam ? new FlatAdam(parameters, lr) : optim.Adam(parameters, lr);
}
