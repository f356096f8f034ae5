using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using RouterAdmin.History.Storage;

namespace RouterAdmin.Bench;

/// <summary>One way of storing a revision's six snapshot texts: the bytes the newest revision would add, and the time to encode it.</summary>
public sealed record StorageOption(string Name, long Bytes, double Milliseconds);

/// <summary>
/// The ways of storing snapshots that were weighed, measured on the last two revisions of the history run: what the
/// newest one would add to a history already holding the one before it. The console uses the last one.
/// </summary>
public static class StorageOptions
{
    public static IReadOnlyList<StorageOption> Measure(IReadOnlyList<string> previous, IReadOnlyList<string> latest)
    {
        var before = previous.Select(Encoding.UTF8.GetBytes).ToArray();
        var after = latest.Select(Encoding.UTF8.GetBytes).ToArray();
        return
        [
            Time("as text (before this change)", () => after.Sum(b => (long)b.Length)),
            Time("GZip (optimal), each text", () => after.Sum(b => (long)GZip(b).Length)),
            Time("Brotli (quality 5), each text", () => after.Sum(b => (long)SnapshotStorage.Compress(b).Length)),
            Time("Brotli, whole texts shared by SHA-256 (a text equal to a stored one is free)", () =>
            {
                var stored = before.Select(b => Convert.ToHexString(SHA256.HashData(b))).ToHashSet();
                return after.Sum(b => stored.Add(Convert.ToHexString(SHA256.HashData(b))) ? SnapshotStorage.Compress(b).Length + 32L : 32L);
            }),
            Time("Brotli, 16 KiB content-defined chunks shared by SHA-256, manifests of ids (used)", () =>
            {
                var stored = before.SelectMany(b => ContentChunker.Split(b).Select(r => Convert.ToHexString(SHA256.HashData(b.AsSpan(r))))).ToHashSet();
                long bytes = 0;
                foreach (var b in after)
                {
                    var chunks = ContentChunker.Split(b);
                    bytes += 2 + chunks.Count * 7; // "[…]" of ids up to 6 digits and a comma
                    foreach (var r in chunks)
                        if (stored.Add(Convert.ToHexString(SHA256.HashData(b.AsSpan(r)))))
                            bytes += SnapshotStorage.Compress(b.AsSpan(r)).Length + 32 + 8;
                }
                return bytes;
            }),
        ];
    }

    private static StorageOption Time(string name, Func<long> bytes)
    {
        var started = Stopwatch.GetTimestamp();
        var result = bytes();
        return new StorageOption(name, result, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static byte[] GZip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(bytes);
        return output.ToArray();
    }
}
