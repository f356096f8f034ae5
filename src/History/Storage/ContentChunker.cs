using System.Runtime.CompilerServices;
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
        for (var start = 0; start < data.Length;)
        {
            var end = CutAfter(data, start);
            chunks.Add(start..end);
            start = end;
        }
        return chunks;
    }

    /// <summary>
    /// The chunks of <paramref name="data"/> when it is mostly <paramref name="previous"/> (its bytes and their chunks):
    /// exactly <see cref="Split(ReadOnlySpan{byte})"/>'s, but only the stretch between what the two texts share at
    /// their start and at their end is cut again. A chunk is cut from its start by what it holds, so one that lies
    /// wholly in the shared beginning is cut the same; and once a new cut lands in the shared end where an old cut
    /// was, the rest follows as it did before. Each chunk says which of the previous ones it is, or -1 when it is new.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<(Range Chunk, int Previous)> Split(ReadOnlySpan<byte> data, ReadOnlySpan<byte> previous, IReadOnlyList<Range> previousChunks)
    {
        var chunks = new List<(Range, int)>(previousChunks.Count + 4);
        var prefix = data.CommonPrefixLength(previous);
        var room = Math.Min(data.Length, previous.Length) - prefix;
        var suffix = Math.Min(room, CommonSuffixLength(data, previous));

        // Leading chunks ending inside the shared beginning, the last chunk aside (it ended where the old text did).
        var kept = 0;
        while (kept < previousChunks.Count - 1 && previousChunks[kept].End.Value <= prefix) kept++;
        for (var i = 0; i < kept; i++) chunks.Add((previousChunks[i], i));

        var start = kept == 0 ? 0 : previousChunks[kept - 1].End.Value;
        var shift = data.Length - previous.Length;
        var sharedEnd = data.Length - suffix;
        while (start < data.Length)
        {
            // Back in step: from here on the new text is the old one, cut at the same places.
            if (start >= sharedEnd && BoundaryAt(previousChunks, start - shift) is var resumed and >= 0)
            {
                for (var i = resumed; i < previousChunks.Count; i++)
                    chunks.Add(((previousChunks[i].Start.Value + shift)..(previousChunks[i].End.Value + shift), i));
                return chunks;
            }
            var end = CutAfter(data, start);
            chunks.Add((start..end, -1));
            start = end;
        }
        return chunks;
    }

    /// <summary>The index of the previous chunk that starts at <paramref name="offset"/>, or -1.</summary>
    private static int BoundaryAt(IReadOnlyList<Range> chunks, int offset)
    {
        int low = 0, high = chunks.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var at = chunks[middle].Start.Value;
            if (at == offset) return middle;
            if (at < offset) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CommonSuffixLength(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var length = Math.Min(a.Length, b.Length);
        var same = 0;
        // Compared in blocks from the end: a span has no reverse mismatch search, and blocks keep it vectorised.
        const int block = 4096;
        while (same < length)
        {
            var size = Math.Min(block, length - same);
            var x = a.Slice(a.Length - same - size, size);
            var y = b.Slice(b.Length - same - size, size);
            if (x.SequenceEqual(y))
            {
                same += size;
                continue;
            }
            var i = size - 1;
            while (x[i] == y[i]) i--;
            return same + (size - 1 - i);
        }
        return same;
    }

    /// <summary>Where the chunk that starts at <paramref name="start"/> ends.</summary>
    // Called once per stored revision, never often enough for tiered compilation to optimise it, and at 10,000
    // mappings it runs over megabytes: compiled optimised from the first call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CutAfter(ReadOnlySpan<byte> data, int start)
    {
        var end = Math.Min(start + MaxSize, data.Length);
        ulong hash = 0;
        // Only the last 64 bytes reach the hash (it shifts one bit a byte), so hashing starts just before the minimum.
        for (var i = Math.Max(start, start + MinSize - 64); i < end; i++)
        {
            hash = (hash << 1) + Gear[data[i]];
            if (i + 1 - start >= MinSize && (hash & Mask) == 0) return i + 1;
        }
        return end;
    }
}
