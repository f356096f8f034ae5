namespace RouterAdmin.History.Storage;

/// <summary>
/// A piece of a revision's snapshot texts, stored once however many revisions contain it: addressed by the SHA-256 of
/// its bytes, kept Brotli-compressed. A snapshot names its chunks in order (a manifest); the retention policy deletes
/// the chunks no kept snapshot names.
/// </summary>
public sealed class SnapshotChunk
{
    public long Id { get; set; }
    /// <summary>SHA-256 of the uncompressed bytes.</summary>
    public required byte[] Hash { get; set; }
    /// <summary>The uncompressed length in bytes.</summary>
    public int Length { get; set; }
    /// <summary>The bytes, Brotli-compressed.</summary>
    public required byte[] Data { get; set; }
}
