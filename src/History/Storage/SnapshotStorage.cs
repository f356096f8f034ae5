using System.Buffers;
using System.Data.Common;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace RouterAdmin.History.Storage;

/// <summary>
/// How a revision's snapshot texts are kept: each cut into content-defined chunks (<see cref="ContentChunker"/>), each
/// chunk stored once by its SHA-256 and Brotli-compressed, and the text kept as its manifest, the JSON array of its
/// chunks' ids in order (JSON so SQLite's json_each can list them when the retention policy sweeps unused chunks).
/// A one-client change on 10,000 mappings shares all but a few chunks with the revision before it.
/// </summary>
public static class SnapshotStorage
{
    public const string Table = "SnapshotChunks";

    /// <summary>The columns of RevisionSnapshots holding the manifests, one per text.</summary>
    public static readonly IReadOnlyList<string> ManifestColumns =
        ["BeforeNatTableChunks", "BeforeStateChunks", AfterStateColumn, InventoryColumn, "RestoreScriptChunks", "CommandsChunks"];

    public const string AfterStateColumn = "AfterStateChunks";
    public const string InventoryColumn = "InventoryChunks";

    /// <summary>One text of a revision's snapshot (its manifest column), without reading the other five; null without a revision.</summary>
    public static async Task<string?> LoadTextAsync(Data.AppDbContext db, int revisionId, string column, CancellationToken ct)
    {
        var manifest = await db.RevisionSnapshots.AsNoTracking().Where(s => s.RevisionId == revisionId)
            .Select(s => EF.Property<string>(s, column)).SingleOrDefaultAsync(ct);
        if (manifest is null) return null;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return Load(db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(), [manifest])[0];
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // Quality 5: at 16 KiB chunks nearly as small as 11 and a hundred times faster (docs/benchmarks.md).
    private const int Quality = 5;
    private const int Window = 22;

    public static string[] TextsOf(RevisionSnapshot s) =>
        [s.BeforeNatTable, s.BeforeStateJson, s.AfterStateJson, s.InventoryJson, s.RestoreScript, s.CommandsText];

    public static void SetTexts(RevisionSnapshot s, IReadOnlyList<string> texts)
    {
        (s.BeforeNatTable, s.BeforeStateJson, s.AfterStateJson) = (texts[0], texts[1], texts[2]);
        (s.InventoryJson, s.RestoreScript, s.CommandsText) = (texts[3], texts[4], texts[5]);
    }

    /// <summary>Stores the chunks of <paramref name="texts"/> that are not stored yet; returns each text's manifest.</summary>
    public static string[] Store(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> texts)
    {
        var cut = texts.Select((t, column) => RecentCuts.Cut(column, t)).ToArray();
        // Each chunk's key (hex SHA-256), in order, per text.
        var keys = cut.Select(c => c.Keys).ToArray();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        var missing = new List<(byte[] Hash, ReadOnlyMemory<byte> Bytes)>();
        var missingKeys = new List<string>();
        using (var find = Command(connection, transaction, $"""SELECT "Id" FROM "{Table}" WHERE "Hash" = $hash"""))
        {
            var hash = Parameter(find, "$hash");
            for (var t = 0; t < cut.Length; t++)
            for (var c = 0; c < keys[t].Count; c++)
            {
                var key = keys[t][c];
                if (ids.ContainsKey(key)) continue;
                var digest = Convert.FromHexString(key);
                hash.Value = digest;
                if (find.ExecuteScalar() is long id) { ids[key] = id; continue; }
                ids[key] = -1; // to be inserted once, however often the snapshot repeats it
                missing.Add((digest, cut[t].Bytes.AsMemory(cut[t].Chunks[c])));
                missingKeys.Add(key);
            }
        }
        var compressed = new byte[missing.Count][];
        Parallel.For(0, missing.Count, i => compressed[i] = Compress(missing[i].Bytes.Span));
        using (var insert = Command(connection, transaction, $"""INSERT INTO "{Table}" ("Hash", "Length", "Data") VALUES ($hash, $length, $data) RETURNING "Id" """))
        {
            var (hash, length, data) = (Parameter(insert, "$hash"), Parameter(insert, "$length"), Parameter(insert, "$data"));
            for (var i = 0; i < missing.Count; i++)
            {
                (hash.Value, length.Value, data.Value) = (missing[i].Hash, missing[i].Bytes.Length, compressed[i]);
                ids[missingKeys[i]] = (long)insert.ExecuteScalar()!;
            }
        }
        return keys.Select(k => "[" + string.Join(',', k.Select(key => ids[key])) + "]").ToArray();
    }

    /// <summary>The texts the manifests name, read in one query.</summary>
    public static string[] Load(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> manifests)
    {
        var lists = manifests.Select(Ids).ToArray();
        var chunks = new Dictionary<long, byte[]>();
        using (var read = Command(connection, transaction, $"""SELECT "Id", "Length", "Data" FROM "{Table}" WHERE "Id" IN (SELECT "value" FROM json_each($ids))"""))
        {
            Parameter(read, "$ids").Value = "[" + string.Join(',', lists.SelectMany(l => l).Distinct()) + "]";
            using var reader = read.ExecuteReader();
            while (reader.Read())
                chunks[reader.GetInt64(0)] = Decompress((byte[])reader.GetValue(2), reader.GetInt32(1));
        }
        return lists.Select(list =>
        {
            var bytes = new byte[list.Sum(id => Chunk(chunks, id).Length)];
            var at = 0;
            foreach (var id in list)
            {
                chunks[id].CopyTo(bytes, at);
                at += chunks[id].Length;
            }
            return Encoding.UTF8.GetString(bytes);
        }).ToArray();
    }

    public static long[] Ids(string manifest) =>
        manifest.Trim('[', ']', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();

    private static byte[] Chunk(Dictionary<long, byte[]> chunks, long id) =>
        chunks.TryGetValue(id, out var bytes) ? bytes : throw new InvalidDataException($"Snapshot chunk {id} is missing from {Table}: the history is damaged.");

    public static byte[] Compress(ReadOnlySpan<byte> bytes)
    {
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        using var encoder = new BrotliEncoder(Quality, Window);
        if (encoder.Compress(bytes, output, out _, out var written, isFinalBlock: true) != OperationStatus.Done)
            throw new InvalidOperationException("Brotli could not compress a snapshot chunk.");
        return output[..written];
    }

    private static byte[] Decompress(byte[] data, int length)
    {
        var output = new byte[length];
        if (!BrotliDecoder.TryDecompress(data, output, out var written) || written != length)
            throw new InvalidDataException($"A snapshot chunk of {length} bytes does not decompress: the history is damaged.");
        return output;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
