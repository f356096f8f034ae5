using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Bench;

/// <summary>What the history costs on disk: the file after a first apply and after many one-client changes on top.</summary>
/// <param name="UsedBytesAfterFirstApply">Pages in use (page_count − freelist_count) × page size, after the first apply.</param>
/// <param name="StoredBytesPerChange">The snapshot chunks (compressed bytes and hash) and manifests each change added, exactly.</param>
public sealed record HistoryGrowthResult(string Backend, int Size, int Changes, long FileBytesAfterFirstApply, long FileBytesAfterChanges,
    long UsedBytesAfterFirstApply, long UsedBytesAfterChanges, Samples StoredBytesPerChange, IReadOnlyList<StorageOption> Options)
{
    /// <summary>What one change added to the file on average: its pages, whatever they hold (revision row, audit, indexes).</summary>
    public long BytesPerChange => (UsedBytesAfterChanges - UsedBytesAfterFirstApply) / Math.Max(1, Changes);
}

/// <summary>
/// N assignments applied once, then <c>changes</c> times one client moved to the spare address and applied, as an
/// administrator's everyday edits pile up in the history: a different client each time (the first of endpoint 0, 1, …,
/// then back again), so no revision's state repeats an earlier one and gets its chunks for free. The retention policy
/// does not run (everything is younger than its window).
/// </summary>
public static class HistoryGrowth
{
    public const int TargetSize = 10_000;
    public const int TargetChanges = 100;
    public const long TargetFileBytes = 50L * 1024 * 1024;
    public const long TargetBytesPerChange = 100L * 1024;

    public static async Task<HistoryGrowthResult> RunAsync(TestConsole console, SeededInventory seeded, int changes, Action<string> log, CancellationToken ct)
    {
        await ApplyAsync(console, ct);
        var first = await MeasureAsync(console, ct);
        var stored = first.Stored;
        var deltas = new List<double>();
        var endpoints = Math.Max(1, seeded.Assignments / BenchInventory.AddressCount);
        for (var i = 0; i < changes; i++)
        {
            // Seeded client k*100 is the first on endpoint k, leaving from address 0; the spare is free on every endpoint.
            var assignment = seeded.MovingAssignmentId + i % endpoints * BenchInventory.AddressCount;
            await console.Assignments.ReassignAsync(assignment, i / endpoints % 2 == 0 ? seeded.SpareAddressId : seeded.OriginalAddressId, BenchInventory.Admin, ct);
            await ApplyAsync(console, ct);
            var now = await MeasureAsync(console, ct);
            deltas.Add(now.Stored - stored);
            stored = now.Stored;
            if ((i + 1) % 10 == 0) log($"history: {i + 1}/{changes} one-client changes on {seeded.Assignments:N0}, file {now.File / 1024.0 / 1024:N1} MiB, last change stored {deltas[^1] / 1024:N1} KiB");
        }
        var end = await MeasureAsync(console, ct);
        await using var db = await console.OpenDatabaseAsync();
        var lastTwo = await db.RevisionSnapshots.AsNoTracking().OrderByDescending(s => s.RevisionId).Take(2).ToListAsync(ct);
        var options = StorageOptions.Measure(RouterAdmin.History.Storage.SnapshotStorage.TextsOf(lastTwo[^1]), RouterAdmin.History.Storage.SnapshotStorage.TextsOf(lastTwo[0]));
        return new HistoryGrowthResult(console.Backend.Name, seeded.Assignments, changes, first.File, end.File, first.Used, end.Used, Samples.Of(deltas), options);
    }

    private static async Task ApplyAsync(TestConsole console, CancellationToken ct)
    {
        var preview = await console.Engine.PreviewApplyAsync(ct);
        var result = await console.Engine.ApplyAsync(new ApplyRequest(BenchInventory.Admin, "history benchmark", preview.Fingerprint), ct);
        if (result.Kind != ApplyResultKind.Applied)
            throw new InvalidOperationException($"The apply did not go through ({result.Kind}): {result.Message} {result.Error}");
    }

    /// <summary>The write-ahead log folded into the file first, so the file's size is what the history holds.</summary>
    private static async Task<(long File, long Used, long Stored)> MeasureAsync(TestConsole console, CancellationToken ct)
    {
        await using var db = await console.OpenDatabaseAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        var used = await db.Database.SqlQueryRaw<long>(
            "SELECT (p.\"page_count\" - f.\"freelist_count\") * s.\"page_size\" AS \"Value\" FROM pragma_page_count p, pragma_freelist_count f, pragma_page_size s").SingleAsync(ct);
        var manifests = string.Join(" + ", RouterAdmin.History.Storage.SnapshotStorage.ManifestColumns.Select(c => $"length(\"{c}\")"));
        var storedSql = $"""
            SELECT (SELECT coalesce(sum(length("Data") + length("Hash")), 0) FROM "SnapshotChunks")
                 + (SELECT coalesce(sum({manifests}), 0) FROM "RevisionSnapshots") AS "Value"
            """;
        var stored = await db.Database.SqlQueryRaw<long>(storedSql).SingleAsync(ct);
        return (console.DatabaseBytes(), used, stored);
    }
}
