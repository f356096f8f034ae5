using System.Security.Cryptography;

namespace RouterAdmin.History.Storage;

/// <summary>
/// Cuts a text into chunks where its content says, not at fixed offsets (content-defined chunking with a gear hash):
/// a boundary depends only on the 64 bytes before it, so changing one client's line in a 1.5 MB nat table changes the
/// one chunk holding it and every other chunk comes out byte-identical to the previous revision's, and is shared.
/// </summary>
public static class ContentChunker
{
    public const int MinSize = 4 * 1024;
    public const int MaxSize = 64 * 1024;

    // A boundary where the hash's top 14 bits are zero: on average every 16 KiB after the minimum.
    private const int MaskBits = 14;
    private const ulong Mask = ((1UL << MaskBits) - 1) << (64 - MaskBits);

    // Derived from SHA-256 rather than a seeded Random, whose sequence .NET does not promise to keep: the same text
    // must be cut the same way by every version, or nothing would be shared across an upgrade.
    private static readonly ulong[] Gear = Enumerable.Range(0, 256)
        .Select(i => BitConverter.ToUInt64(SHA256.HashData([(byte)i, (byte)'r', (byte)'a']), 0))
        .ToArray();

    /// <summary>The chunks of <paramref name="data"/>, in order; together they are exactly the input.</summary>
    public static List<Range> Split(ReadOnlySpan<byte> data)
    {
        var chunks = new List<Range>(data.Length / (16 * 1024) + 1);
        var start = 0;
        while (start < data.Length)
        {
            var end = Math.Min(start + MaxSize, data.Length);
            var cut = end;
            ulong hash = 0;
            // Only the last 64 bytes reach the hash (it shifts one bit a byte), so hashing starts just before the minimum.
            for (var i = Math.Max(start, start + MinSize - 64); i < end; i++)
            {
                hash = (hash << 1) + Gear[data[i]];
                if (i + 1 - start >= MinSize && (hash & Mask) == 0)
                {
                    cut = i + 1;
                    break;
                }
            }
            chunks.Add(start..cut);
            start = cut;
        }
        return chunks;
    }
}
