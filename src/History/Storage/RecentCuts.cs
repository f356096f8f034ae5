using System.Security.Cryptography;
using System.Text;

namespace RouterAdmin.History.Storage;

/// <summary>A text as stored: its bytes, its chunks, and each chunk's key (its SHA-256, in hex).</summary>
public sealed record CutText(byte[] Bytes, IReadOnlyList<Range> Chunks, IReadOnlyList<string> Keys)
{
    /// <summary>The text these bytes are of.</summary>
    public string? Text { get; init; }
}

/// <summary>
/// The texts of the last snapshot stored, one per column, kept cut and hashed: the next revision's text in that column
/// is mostly the same (a one-client change on 10,000 mappings touches one chunk of each), so only what lies between
/// the shared beginning and the shared end is cut and hashed again (<see cref="ContentChunker"/>). The keys depend on
/// the bytes alone, so every database in the process may share them; which chunks a database holds is still asked of
/// that database.
/// </summary>
public static class RecentCuts
{
    private static readonly Lock Gate = new();
    private static readonly CutText?[] Last = new CutText?[SnapshotStorage.ManifestColumns.Count];
    private static readonly CutText Nothing = new([], [], []);

    public static CutText Cut(int column, string text)
    {
        CutText? previous;
        CutText? same;
        lock (Gate)
        {
            previous = Last[column];
            // The same text object again (a revision's state to undo to is the one the revision before it wanted).
            same = Last.FirstOrDefault(c => c is not null && ReferenceEquals(c.Text, text));
        }
        if (same is not null)
        {
            lock (Gate) Last[column] = same;
            return same;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        // With nothing stored before, the whole text lies between the shared beginning and end: all of it is cut afresh.
        var before = previous ?? Nothing;
        var chunks = ContentChunker.Split(bytes, before.Bytes, before.Chunks);
        var cut = new CutText(bytes, chunks.Select(c => c.Chunk).ToArray(),
            chunks.Select(c => c.Previous >= 0 ? before.Keys[c.Previous] : Key(bytes, c.Chunk)).ToArray()) { Text = text };
        lock (Gate) Last[column] = cut;
        return cut;
    }

    private static string Key(byte[] bytes, Range chunk) => Convert.ToHexString(SHA256.HashData(bytes.AsSpan(chunk)));
}
