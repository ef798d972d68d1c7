using System.Buffers.Binary;
using System.IO.Compression;

namespace VaeLab.Data;

/// <summary>
/// An IDX file that is damaged, truncated, of the wrong kind, or inconsistent with its partner file. The message
/// names the file, the problem and the fix.
/// </summary>
public sealed class IdxFormatException : Exception
{
    public const string DefaultFix =
        "The file is damaged or is not an IDX file: delete it and fetch it again (Datasets.Load re-downloads into " +
        "data/<name>/ when online), or point VAELAB_DATA_DIR at a good copy.";

    public IdxFormatException(string path, string problem, string? fix = null, Exception? inner = null)
        : base($"{path}: {problem}. {fix ?? DefaultFix}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path or the fix.</summary>
    public string Problem { get; }
}

/// <summary>An unsigned-byte IDX array: its dimensions (outermost first) and its bytes in row-major order.</summary>
public sealed record IdxArray(int[] Dims, byte[] Data)
{
    public int Count => Dims.Length == 0 ? 0 : Dims[0];
}

/// <summary>
/// Reads IDX files (the MNIST format: big-endian header, magic 0x0000 08 NDIMS for unsigned bytes), gzip-compressed
/// or raw. Gzip is detected by its magic bytes 1F 8B, not by the file name. Every read is all-or-nothing: a
/// short, long or malformed file is an <see cref="IdxFormatException"/>, never a partial array.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    const byte UnsignedByteType = 0x08;

    /// <summary>Reads any unsigned-byte IDX file.</summary>
    public static IdxArray Read(string path) => ReadFile(path, expectedDims: null);

    /// <summary>Reads an images file (magic 0x00000803): dims N × rows × cols.</summary>
    public static IdxArray ReadImages(string path) => ReadFile(path, expectedDims: 3);

    /// <summary>Reads a labels file (magic 0x00000801): dims N.</summary>
    public static IdxArray ReadLabels(string path) => ReadFile(path, expectedDims: 1);

    /// <summary>Reads an images file and its labels file and checks that they hold the same number of items.</summary>
    public static (IdxArray Images, IdxArray Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new IdxFormatException(labelsPath,
                $"holds {labels.Count} labels but its images file {imagesPath} holds {images.Count} images",
                "The two files come from different datasets or one is damaged: re-fetch both from the same source.");
        return (images, labels);
    }

    static IdxArray ReadFile(string path, int? expectedDims)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: IDX file not found. Check the path, or fetch the dataset again.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> head = stackalloc byte[2];
        int got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = got == 2 && head[0] == 0x1F && head[1] == 0x8B;
        if (!gzip) return Parse(path, file, gzip, expectedDims);
        try
        {
            using var unzip = new GZipStream(file, CompressionMode.Decompress);
            return Parse(path, unzip, gzip, expectedDims);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message})", inner: e);
        }
    }

    // Reads the header, then the data straight into an array of exactly the declared size (no intermediate copies:
    // a 60 000-image file is 47 MB), then checks that nothing follows.
    static IdxArray Parse(string path, Stream stream, bool gzip, int? expectedDims)
    {
        string what = gzip ? "decompressed content" : "file";
        Span<byte> magicBytes = stackalloc byte[4];
        int got = stream.ReadAtLeast(magicBytes, 4, throwOnEndOfStream: false);
        if (got == 0)
            throw new IdxFormatException(path, $"the {what} is empty (0 bytes)");
        if (got < 4)
            throw new IdxFormatException(path, $"truncated header: the {what} has {got} bytes, fewer than the 4-byte magic number");

        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        int ndims = magicBytes[3];
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
        {
            string hint = !gzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? " (the name ends in .gz but the file is not gzip-compressed: it does not start with 1F 8B)"
                : "";
            throw new IdxFormatException(path, $"bad magic number 0x{magic:X8}: not an IDX file{hint}");
        }
        if (magicBytes[2] != UnsignedByteType)
            throw new IdxFormatException(path,
                $"magic number 0x{magic:X8} declares element type 0x{magicBytes[2]:X2}; only unsigned bytes (0x08) are supported",
                "MNIST-style datasets store unsigned bytes: check that this is the right file.");
        if (expectedDims is int want && ndims != want)
        {
            int wantMagic = want == 3 ? ImagesMagic : want == 1 ? LabelsMagic : 0x800 | want;
            string kind = want == 3 ? "an images" : want == 1 ? "a labels" : $"a {want}-dimensional";
            throw new IdxFormatException(path,
                $"magic number 0x{magic:X8} declares {ndims} dimensions, but {kind} file has {want} (magic 0x{wantMagic:X8})",
                "The images and labels files may have been swapped, or the file is damaged: check the file names, or re-fetch the dataset.");
        }
        if (ndims == 0)
            throw new IdxFormatException(path, "the magic number declares 0 dimensions");

        var dimBytes = new byte[4 * ndims];
        int gotDims = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
        if (gotDims < dimBytes.Length)
            throw new IdxFormatException(path,
                $"truncated header: {ndims} dimensions need a {4 + dimBytes.Length}-byte header but the {what} has {4 + gotDims} bytes");

        var dims = new int[ndims];
        long expected = 1;
        for (int i = 0; i < ndims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0)
                throw new IdxFormatException(path, $"dimension {i} is negative ({dims[i]})");
            expected *= dims[i];
            if (expected > Array.MaxLength)
                throw new IdxFormatException(path, $"dimensions {string.Join("×", dims.Take(i + 1))} exceed what fits in memory");
        }

        string shape = string.Join("×", dims);
        if (!gzip && stream.CanSeek && stream.Length - stream.Position < expected)
            throw new IdxFormatException(path,
                $"truncated data: shape {shape} needs {expected} bytes after the header but the {what} has {stream.Length - stream.Position}");
        var data = new byte[expected];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < expected)
            throw new IdxFormatException(path,
                $"truncated data: shape {shape} needs {expected} bytes after the header but the {what} has {read}");
        // Reading to the end also makes the inflater check gzip's CRC-32 and length trailer.
        long extra = CountRemaining(stream);
        if (extra > 0)
            throw new IdxFormatException(path,
                $"trailing garbage: shape {shape} needs {expected} bytes after the header but the {what} has {expected + extra} ({extra} extra)");

        return new IdxArray(dims, data);
    }

    static long CountRemaining(Stream stream)
    {
        var buffer = new byte[1 << 14];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0) total += n;
        return total;
    }
}

/// <summary>Writes unsigned-byte IDX files (raw or gzip), to a temporary name that is then renamed into place.</summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="pixels"/> (count × rows × cols bytes, row-major) as an images file.</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int cols, bool gzip = false) =>
        Write(path, new[] { count, rows, cols }, pixels, gzip);

    /// <summary>Writes <paramref name="labels"/> as a labels file.</summary>
    public static void WriteLabels(string path, byte[] labels, bool gzip = false) =>
        Write(path, new[] { labels.Length }, labels, gzip);

    /// <summary>Writes any unsigned-byte array; <paramref name="data"/> must hold exactly the product of the dims.</summary>
    public static void Write(string path, int[] dims, byte[] data, bool gzip = false)
    {
        if (dims.Length is 0 or > 255)
            throw new ArgumentException($"An IDX file has 1 to 255 dimensions; got {dims.Length}.", nameof(dims));
        long expected = dims.Aggregate(1L, (p, d) => d >= 0 ? p * d : throw new ArgumentException($"Negative dimension {d}.", nameof(dims)));
        if (expected != data.LongLength)
            throw new ArgumentException($"Shape {string.Join("×", dims)} needs {expected} bytes but {data.Length} were given.", nameof(data));

        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);

        AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var zip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                zip.Write(header);
                zip.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }
}
