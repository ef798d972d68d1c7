using System.Buffers.Binary;
using System.IO.Compression;
using VaeLab.Data;

namespace VaeLab.Tests.Data;

public class IdxTests
{
    static byte[] Pixels(int n, int rows, int cols) => Enumerable.Range(0, n * rows * cols).Select(i => (byte)(i * 7 % 256)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        using var dir = new TempDir();
        var pixels = Pixels(5, 3, 4);
        var labels = new byte[] { 9, 0, 3, 3, 7 };
        IdxWriter.WriteImages(dir.Sub("x.idx"), pixels, 5, 3, 4, gzip);
        IdxWriter.WriteLabels(dir.Sub("y.idx"), labels, gzip);

        var (images, readLabels) = IdxReader.ReadPair(dir.Sub("x.idx"), dir.Sub("y.idx"));
        Assert.Equal(new[] { 5, 3, 4 }, images.Dims);
        Assert.Equal(pixels, images.Data);
        Assert.Equal(new[] { 5 }, readLabels.Dims);
        Assert.Equal(labels, readLabels.Data);

        var head = File.ReadAllBytes(dir.Sub("x.idx")).Take(4).ToArray();
        Assert.Equal(gzip, head[0] == 0x1F && head[1] == 0x8B);
        if (!gzip) Assert.Equal(IdxReader.ImagesMagic, BinaryPrimitives.ReadInt32BigEndian(head));
        Assert.Equal(new[] { "x.idx", "y.idx" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void GzipIsDetectedByContentNotName()
    {
        using var dir = new TempDir();
        IdxWriter.WriteLabels(dir.Sub("zipped-without-suffix"), new byte[] { 1, 2 }, gzip: true);
        IdxWriter.WriteLabels(dir.Sub("plain-with-suffix.gz"), new byte[] { 3, 4 }, gzip: false);
        Assert.Equal(new byte[] { 1, 2 }, IdxReader.ReadLabels(dir.Sub("zipped-without-suffix")).Data);
        Assert.Equal(new byte[] { 3, 4 }, IdxReader.ReadLabels(dir.Sub("plain-with-suffix.gz")).Data);
    }

    [Fact]
    public void ReadsAnyDimensions()
    {
        using var dir = new TempDir();
        var data = Enumerable.Range(0, 2 * 3 * 4 * 5).Select(i => (byte)i).ToArray();
        IdxWriter.Write(dir.Sub("t.idx"), new[] { 2, 3, 4, 5 }, data);
        var read = IdxReader.Read(dir.Sub("t.idx"));
        Assert.Equal(new[] { 2, 3, 4, 5 }, read.Dims);
        Assert.Equal(data, read.Data);
    }

    static byte[] ValidImages(int n = 2) => Header(0x803, n, 2, 2).Concat(Pixels(n, 2, 2)).ToArray();

    static byte[] Header(int magic, params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    static IdxFormatException ImagesError(TempDir dir, string name, byte[] content, string fixPhrase = "fetch it again")
    {
        var path = dir.Sub(name);
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(fixPhrase, e.Message); // the fix is part of every message
        return e;
    }

    [Fact]
    public void BadMagicIsNamed()
    {
        using var dir = new TempDir();
        var bytes = ValidImages();
        bytes[0] = 0x12;
        Assert.Contains("bad magic number 0x12000803", ImagesError(dir, "bad-magic", bytes).Message);
    }

    [Fact]
    public void WrongNumberOfDimensionsIsNamed()
    {
        using var dir = new TempDir();
        var labels = Header(0x801, 3).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var path = dir.Sub("labels-read-as-images");
        File.WriteAllBytes(path, labels);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("declares 1 dimensions, but an images file has 3", e.Message);
        Assert.Contains("swapped", e.Message);

        IdxWriter.WriteImages(dir.Sub("images"), Pixels(1, 2, 2), 1, 2, 2);
        var e2 = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(dir.Sub("images")));
        Assert.Contains("a labels file has 1", e2.Message);
    }

    [Fact]
    public void TruncatedHeaderIsNamed()
    {
        using var dir = new TempDir();
        Assert.Contains("truncated header", ImagesError(dir, "short-header", ValidImages().Take(10).ToArray()).Message);
        Assert.Contains("fewer than the 4-byte magic", ImagesError(dir, "three-bytes", new byte[] { 0, 0, 8 }).Message);
    }

    [Fact]
    public void TruncatedDataIsNamed()
    {
        using var dir = new TempDir();
        var e = ImagesError(dir, "short-data", ValidImages().SkipLast(3).ToArray());
        Assert.Contains("truncated data: shape 2×2×2 needs 8 bytes after the header but the file has 5", e.Message);
    }

    [Fact]
    public void TrailingGarbageIsNamed()
    {
        using var dir = new TempDir();
        var e = ImagesError(dir, "long", ValidImages().Concat(new byte[] { 1, 2, 3 }).ToArray());
        Assert.Contains("trailing garbage", e.Message);
        Assert.Contains("(3 extra)", e.Message);
    }

    [Fact]
    public void EmptyFileIsNamed()
    {
        using var dir = new TempDir();
        Assert.Contains("empty (0 bytes)", ImagesError(dir, "empty.gz", Array.Empty<byte>()).Message);
    }

    [Fact]
    public void NonGzipGarbageWithGzNameIsNamed()
    {
        using var dir = new TempDir();
        var garbage = "<html>404 Not Found</html>"u8.ToArray();
        var e = ImagesError(dir, "train-images-idx3-ubyte.gz", garbage);
        Assert.Contains("bad magic number", e.Message);
        Assert.Contains("not gzip-compressed", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsAnErrorNotAPartialArray()
    {
        using var dir = new TempDir();
        var good = dir.Sub("good.gz");
        IdxWriter.WriteImages(good, Pixels(50, 28, 28), 50, 28, 28, gzip: true);
        var bytes = File.ReadAllBytes(good);
        var e = ImagesError(dir, "cut.gz", bytes.Take(bytes.Length / 2).ToArray());
        Assert.True(e.Message.Contains("gzip stream is corrupt or truncated") || e.Message.Contains("truncated data"), e.Message);
    }

    [Fact]
    public void CorruptGzipBodyIsNamed()
    {
        using var dir = new TempDir();
        var good = dir.Sub("good.gz");
        IdxWriter.WriteImages(good, Pixels(50, 28, 28), 50, 28, 28, gzip: true);
        var bytes = File.ReadAllBytes(good);
        for (int i = 20; i < 60; i++) bytes[i] ^= 0xFF;
        ImagesError(dir, "scrambled.gz", bytes); // whatever the inflater makes of it, it is an error naming the file
    }

    [Fact]
    public void AGzipChecksumMismatchIsDetected()
    {
        // Deflate data that decodes to the right length but fails gzip's CRC-32 must not pass as good pixels.
        using var dir = new TempDir();
        var good = dir.Sub("good.gz");
        IdxWriter.WriteImages(good, Pixels(50, 28, 28), 50, 28, 28, gzip: true);
        var bytes = File.ReadAllBytes(good);
        bytes[^8] ^= 0x01; // first byte of the CRC-32 trailer
        var e = ImagesError(dir, "bad-crc.gz", bytes);
        Assert.Contains("gzip stream is corrupt or truncated", e.Message);
    }

    [Fact]
    public void UnsupportedElementTypeIsNamed()
    {
        using var dir = new TempDir();
        var floats = Header(0x0D03, 1, 1, 1).Concat(new byte[4]).ToArray();
        Assert.Contains("element type 0x0D", ImagesError(dir, "floats", floats, fixPhrase: "check that this is the right file").Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchNamesBothFiles()
    {
        using var dir = new TempDir();
        IdxWriter.WriteImages(dir.Sub("images"), Pixels(3, 2, 2), 3, 2, 2);
        IdxWriter.WriteLabels(dir.Sub("labels"), new byte[] { 1, 2 });
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadPair(dir.Sub("images"), dir.Sub("labels")));
        Assert.Contains("holds 2 labels but its images file " + dir.Sub("images") + " holds 3 images", e.Message);
        Assert.Equal(dir.Sub("labels"), e.FilePath);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadLabels(dir.Sub("nope")));
        Assert.Contains(dir.Sub("nope"), e.Message);
    }

    [Fact]
    public void WriterRejectsDataThatDoesNotMatchTheShape()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => IdxWriter.WriteImages(dir.Sub("x"), new byte[5], 2, 2, 2));
        Assert.Contains("needs 8 bytes but 5", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFailedWriteLeavesNeitherATempFileNorAFileUnderTheFinalName()
    {
        using var dir = new TempDir();
        var path = dir.Sub("out.idx");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write(new byte[100]); throw new InvalidOperationException("disk full"); }));
        Assert.Empty(Directory.GetFiles(dir.Path));

        // An existing file survives a failed rewrite intact.
        IdxWriter.WriteLabels(path, new byte[] { 5 });
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write(new byte[3]); throw new InvalidOperationException("disk full"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void GzipWriterOutputIsStandardGzip()
    {
        using var dir = new TempDir();
        IdxWriter.WriteLabels(dir.Sub("y.gz"), new byte[] { 4, 2 }, gzip: true);
        using var unzip = new GZipStream(File.OpenRead(dir.Sub("y.gz")), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        unzip.CopyTo(buffer);
        Assert.Equal(Header(0x801, 2).Concat(new byte[] { 4, 2 }).ToArray(), buffer.ToArray());
    }
}
