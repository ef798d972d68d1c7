using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Bench;

/// <summary>
/// Notebook 02's conv VAE layer by layer (batch 100, forward and backward, random weights), each layer as the model
/// runs it and as the alternatives issue #27 names: channels-last memory layout, unfold plus matmul (im2col) for the
/// convolutions, and the transposed convolutions as stride-1 convolutions over zero-dilated inputs (the last one, of
/// stride 1, as a plain convolution). Each variant's conversions are timed with it; weights are converted once, as a
/// parameter kept in that layout would be.
/// </summary>
public static class ConvAlternatives
{
    /// <summary>One variant of a layer: its forward, and one training step of it (forward, backward).</summary>
    public sealed record Variant(string Name, Func<Tensor> Forward, Action Step);

    /// <summary>One layer: its name, FLOPs of one forward, and its variants, the model's own first.</summary>
    public sealed record Layer(string Name, double ForwardFlops, IReadOnlyList<Variant> Variants);

    // TorchSharp 0.107 has no memory_format argument; a permuted contiguous copy has channels-last strides, which
    // libtorch recognises as that layout.
    static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    static Variant V(string name, Func<Tensor> forward, params Tensor[] parameters) => new(name, forward, () =>
    {
        using var _ = torch.NewDisposeScope();
        foreach (var p in parameters) p.grad = null;
        forward().sum().backward();
    });

    static Tensor Param(params long[] shape) => (torch.randn(shape, device: Lab.Device) * 0.1).requires_grad_(true);

    /// <summary>Zero-dilates x by <paramref name="stride"/> (stride − 1 zeros between pixels) with cat and reshape.</summary>
    static Tensor Dilate(Tensor x, int stride)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var zeros = torch.zeros(new long[] { n, c, h, w, stride - 1 }, device: x.device);
        var cols = torch.cat([x.unsqueeze(-1), zeros], -1).reshape(n, c, h, w * stride);
        var zrows = torch.zeros(new long[] { n, c, h, stride - 1, w * stride }, device: x.device);
        var rows = torch.cat([cols.unsqueeze(3), zrows], 3).reshape(n, c, h * stride, w * stride);
        return rows.narrow(2, 0, (h - 1) * stride + 1).narrow(3, 0, (w - 1) * stride + 1);
    }

    /// <summary>conv_transpose2d(x, w, stride, padding, output_padding) as conv2d over the zero-dilated input with the
    /// flipped, transposed kernel (same result).</summary>
    public static Tensor TransposedAsConv(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int outputPadding)
    {
        long k = weight.shape[2];
        var d = stride > 1 ? Dilate(x, stride) : x;
        long lo = k - 1 - padding, hi = k - 1 - padding + outputPadding;
        d = nn.functional.pad(d, [lo, hi, lo, hi]);
        var w = weight.transpose(0, 1).flip(2, 3);
        return nn.functional.conv2d(d, w, bias);
    }

    /// <summary>conv2d(x, w, stride) without padding as unfold plus one matrix product.</summary>
    public static Tensor ConvAsMatmul(Tensor x, Tensor weight, Tensor bias, int stride)
    {
        long n = x.shape[0], k = weight.shape[2], outC = weight.shape[0];
        long outH = (x.shape[2] - k) / stride + 1, outW = (x.shape[3] - k) / stride + 1;
        var cols = nn.functional.unfold(x, k, stride: stride);                    // N×(C·k·k)×L
        var y = weight.reshape(outC, -1).matmul(cols) + bias.reshape(outC, 1);   // N×outC×L
        return y.reshape(n, outC, outH, outW);
    }

    public static IReadOnlyList<Layer> Layers(int batch = 100)
    {
        var layers = new List<Layer>();
        void Conv(string name, int inC, int outC, int size, bool inputGrad)
        {
            var x = torch.rand(new long[] { batch, inC, size, size }, device: Lab.Device);
            if (inputGrad) x.requires_grad_(true);
            var w = Param(outC, inC, 3, 3); var b = Param(outC);
            var wcl = ChannelsLast(w.detach()).requires_grad_(true);  // a parameter would be kept in that layout
            long outSize = (size - 3) / 2 + 1;
            layers.Add(new Layer(name, 2.0 * batch * outC * outSize * outSize * inC * 9,
            [
                V("as the model runs it", () => nn.functional.conv2d(x, w, b, strides: [2, 2]), w, b, x),
                V("channels-last", () => nn.functional.conv2d(ChannelsLast(x), wcl, b, strides: [2, 2]), wcl, b, x),
                V("unfold + matmul", () => ConvAsMatmul(x, w, b, 2), w, b, x),
            ]));
        }
        void Deconv(string name, int inC, int outC, int size, int stride, int padding, int outputPadding)
        {
            var x = torch.rand(new long[] { batch, inC, size, size }, device: Lab.Device).requires_grad_(true);
            var w = Param(inC, outC, 3, 3); var b = Param(outC);
            var wcl = ChannelsLast(w.detach()).requires_grad_(true);
            var variants = new List<Variant>
            {
                V("as the model runs it", () => nn.functional.conv_transpose2d(x, w, b, strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]), w, b, x),
                V("channels-last", () => nn.functional.conv_transpose2d(ChannelsLast(x), wcl, b, strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]), wcl, b, x),
                V(stride > 1 ? "conv on dilated input" : "as a convolution", () => TransposedAsConv(x, w, b, stride, padding, outputPadding), w, b, x),
            };
            layers.Add(new Layer(name, 2.0 * batch * inC * size * size * outC * 9, variants));
        }
        Conv("conv1 1→32, 28→13", 1, 32, 28, inputGrad: false);
        Conv("conv2 32→64, 13→6", 32, 64, 13, inputGrad: true);
        Deconv("deconv1 32→64, 7→14", 32, 64, 7, 2, 1, 1);
        Deconv("deconv2 64→32, 14→28", 64, 32, 14, 2, 1, 1);
        Deconv("deconv3 32→1, 28→28", 32, 1, 28, 1, 1, 0);
        // The decoder's three transposed convolutions in a row, channels-last from its first input on (one conversion).
        {
            var x = torch.rand(new long[] { batch, 32, 7, 7 }, device: Lab.Device).requires_grad_(true);
            var w = new[] { Param(32, 64, 3, 3), Param(64, 32, 3, 3), Param(32, 1, 3, 3) };
            var b = new[] { Param(64), Param(32), Param(1) };
            var wcl = w.Select(t => ChannelsLast(t.detach()).requires_grad_(true)).ToArray();
            Tensor Chain(Tensor h, Tensor[] ws) =>
                nn.functional.conv_transpose2d(
                    nn.functional.relu(nn.functional.conv_transpose2d(
                        nn.functional.relu(nn.functional.conv_transpose2d(h, ws[0], b[0], strides: [2, 2], padding: [1, 1], output_padding: [1, 1])),
                        ws[1], b[1], strides: [2, 2], padding: [1, 1], output_padding: [1, 1])),
                    ws[2], b[2], strides: [1, 1], padding: [1, 1]);
            double flops = 2.0 * batch * 9 * (32 * 49 * 64 + 64 * 196 * 32 + 32 * 784 * 1);
            layers.Add(new Layer("decoder deconv1–3, 7→28", flops,
            [
                V("as the model runs it", () => Chain(x, w), [.. w, .. b, x]),
                V("channels-last", () => Chain(ChannelsLast(x), wcl), [.. wcl, .. b, x]),
                V("channels-last input, weights as they are", () => Chain(ChannelsLast(x), w), [.. w, .. b, x]),
            ]));
        }
        return layers;
    }
}
