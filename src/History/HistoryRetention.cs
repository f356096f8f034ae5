using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.History.Storage;

namespace RouterAdmin.History;

/// <summary>What one run of the retention did.</summary>
public sealed record PruneResult(IReadOnlyList<int> DeletedRevisions, int DeletedChunks, long BytesBefore, long BytesAfter)
{
    public long BytesFreed => BytesBefore - BytesAfter;
}

/// <summary>
/// Deletes the revisions <see cref="RetentionPolicy"/> does not keep, then the snapshot chunks no kept snapshot names,
/// records it in the audit log, and gives the freed pages back to the file system (auto_vacuum=INCREMENTAL, set by
/// <see cref="DatabaseMigrator"/>). Holds the apply gate meanwhile: no revision is written, or picked as a baseline,
/// while it decides, and no chunk a snapshot being written is about to name can be swept.
/// </summary>
public sealed class HistoryRetention(IDbContextFactory<AppDbContext> dbFactory, ApplyGate gate, TimeProvider clock)
{
    public async Task<PruneResult> PruneAsync(HistoryOptions options, CancellationToken ct)
    {
        await using var _ = await gate.EnterAsync(Security.Actor.System.Name, "history retention", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var before = await FileBytesAsync(db, ct);
        var revisions = await db.Revisions.AsNoTracking()
            .Select(r => new RevisionFacts(r.Id, r.Status, r.StartedAt, r.RollbackTargetId)).ToListAsync(ct);
        var keep = RetentionPolicy.Keep(revisions, options, clock.GetUtcNow());
        var doomed = revisions.Select(r => r.Id).Where(id => !keep.Contains(id)).Order().ToArray();
        if (doomed.Length == 0) return new PruneResult([], 0, before, before);

        int chunks;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.RevisionSnapshots.Where(s => doomed.Contains(s.RevisionId)).ExecuteDeleteAsync(ct);
            await db.Revisions.Where(r => doomed.Contains(r.Id)).ExecuteDeleteAsync(ct);
            var named = string.Join(" UNION ", SnapshotStorage.ManifestColumns.Select(c => $"""SELECT "j"."value" FROM "RevisionSnapshots", json_each("{c}") AS "j" """));
            // Only constant names in it: the table and the manifest columns.
            var sweep = $"""DELETE FROM "{SnapshotStorage.Table}" WHERE "Id" NOT IN ({named})""";
            chunks = await db.Database.ExecuteSqlRawAsync(sweep, ct);
            var freed = await PragmaAsync(db, "freelist_count", ct) * await PragmaAsync(db, "page_size", ct);
            db.Record(clock, Security.Actor.System.Name, AuditActions.HistoryPrune, "History",
                $"Deleted {doomed.Length} revision(s) ({Ranges(doomed)}) and {chunks} unused snapshot chunk(s), {freed / 1024.0:N0} KiB; "
                + $"kept {keep.Count} (the last {options.KeepFor.TotalDays:0.#} day(s), the newest {options.KeepLast}, and those still needed).");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        // Outside the transaction: the free pages are cut off the end of the file, and the WAL folded in so it shrinks now.
        await db.Database.ExecuteSqlRawAsync("PRAGMA incremental_vacuum;", ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        return new PruneResult(doomed, chunks, before, await FileBytesAsync(db, ct));
    }

    private static async Task<long> FileBytesAsync(AppDbContext db, CancellationToken ct) =>
        await PragmaAsync(db, "page_count", ct) * await PragmaAsync(db, "page_size", ct);

    private static async Task<long> PragmaAsync(AppDbContext db, string name, CancellationToken ct) => name switch
    {
        "page_count" => await db.Database.SqlQueryRaw<long>("""SELECT "page_count" AS "Value" FROM pragma_page_count""").SingleAsync(ct),
        "page_size" => await db.Database.SqlQueryRaw<long>("""SELECT "page_size" AS "Value" FROM pragma_page_size""").SingleAsync(ct),
        "freelist_count" => await db.Database.SqlQueryRaw<long>("""SELECT "freelist_count" AS "Value" FROM pragma_freelist_count""").SingleAsync(ct),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>"#1–#40, #42": the deleted ids, short enough for an audit entry.</summary>
    internal static string Ranges(IReadOnlyList<int> ids)
    {
        var parts = new List<string>();
        for (var i = 0; i < ids.Count;)
        {
            var j = i;
            while (j + 1 < ids.Count && ids[j + 1] == ids[j] + 1) j++;
            parts.Add(i == j ? $"#{ids[i]}" : $"#{ids[i]}–#{ids[j]}");
            i = j + 1;
        }
        return parts.Count <= 20 ? string.Join(", ", parts) : string.Join(", ", parts.Take(20)) + $", … ({parts.Count - 20} more ranges)";
    }
}
