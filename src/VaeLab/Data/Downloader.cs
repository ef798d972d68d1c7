using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using VaeLab.Reporting;

namespace VaeLab.Data;

/// <summary>Fetches a URL into a stream. Injectable so tests use a fake and never touch the network.</summary>
public interface IDownloader
{
    /// <summary>Copies the resource at <paramref name="url"/> into <paramref name="destination"/>, reporting
    /// (bytes so far, total bytes if known). Throws on any failure.</summary>
    void Download(Uri url, Stream destination, Action<long, long?>? progress = null);
}

/// <summary>The real downloader: HTTP(S) with a short connect timeout, synchronous (no sync-over-async deadlocks
/// in notebook kernels).</summary>
public sealed class HttpDownloader : IDownloader
{
    static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = DecompressionMethods.None, // keep the .gz bytes as published: their hash is checked
    })
    { Timeout = TimeSpan.FromMinutes(10) };

    public void Download(Uri url, Stream destination, Action<long, long?>? progress = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = Client.Send(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase} for {url}", null, response.StatusCode);
        long? total = response.Content.Headers.ContentLength;
        using var body = response.Content.ReadAsStream();
        var buffer = new byte[1 << 16];
        long done = 0;
        int n;
        while ((n = body.Read(buffer)) > 0)
        {
            destination.Write(buffer, 0, n);
            done += n;
            progress?.Invoke(done, total);
        }
    }
}

/// <summary>A download whose SHA-256 did not match the published value. No file is left under the final name.</summary>
public sealed class DownloadVerificationException : Exception
{
    public DownloadVerificationException(string message) : base(message) { }
}

/// <summary>Downloads one file to a temporary name beside its destination, verifies its SHA-256, then renames it.</summary>
public static class VerifiedDownload
{
    /// <summary>Tries each URL in turn until one yields the expected bytes; returns the URL used. Throws with every
    /// URL's failure when none does.</summary>
    public static Uri Fetch(IDownloader downloader, IReadOnlyList<Uri> urls, string destination, string expectedSha256)
    {
        var failures = new List<string>();
        foreach (var url in urls)
        {
            try
            {
                FetchOne(downloader, url, destination, expectedSha256);
                return url;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add($"{url}: {e.Message}");
            }
        }
        throw new IOException($"Could not download {Path.GetFileName(destination)}: " + string.Join("; ", failures));
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> (temp name, hash check, rename).</summary>
    public static void FetchOne(IDownloader downloader, Uri url, string destination, string expectedSha256)
    {
        var full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = AtomicFile.TempNameFor(full);
        var progress = new DownloadProgressLine(Path.GetFileName(full));
        try
        {
            string actual;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var sha = new HashingStream(file))
            {
                downloader.Download(url, sha, progress.Report);
                file.Flush(flushToDisk: true);
                actual = sha.HexDigest();
                progress.Done(sha.Length);
            }
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new DownloadVerificationException(
                    $"SHA-256 mismatch for {url}: got {actual}, expected {expectedSha256}. The download is damaged or the " +
                    "file was changed upstream; nothing was saved. Try again later, or fetch the file by hand into " +
                    Path.GetDirectoryName(full) + ".");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Write-through stream that hashes what passes.</summary>
    sealed class HashingStream(Stream inner) : Stream
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long _length;
        public string HexDigest() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { _hash.AppendData(buffer); inner.Write(buffer); _length += buffer.Length; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) _hash.Dispose(); base.Dispose(disposing); }
    }

    /// <summary>Console progress for one download: a line every two seconds and one at the end.</summary>
    sealed class DownloadProgressLine(string name)
    {
        static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
        readonly Stopwatch _clock = Stopwatch.StartNew();
        TimeSpan _last = TimeSpan.Zero;

        public void Report(long done, long? total)
        {
            if (_clock.Elapsed - _last < Interval) return;
            _last = _clock.Elapsed;
            DisplayHost.Current.Progress($"downloading {name}: {Mb(done)}{(total is long t ? $" / {Mb(t)} ({(double)done / t:P0})" : "")}, " +
                $"{_clock.Elapsed:mm\\:ss}");
        }

        public void Done(long bytes) =>
            DisplayHost.Current.Progress($"downloaded {name}: {Mb(bytes)} in {_clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

        static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
    }
}
