using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Bench;

/// <summary>What the history costs on disk: the file after a first apply and after many one-client changes on top.</summary>
/// <param name="UsedBytesPerChange">The pages in use (page_count − freelist_count) each change added, one sample per change.</param>
public sealed record HistoryGrowthResult(string Backend, int Size, int Changes, long FileBytesAfterFirstApply, long FileBytesAfterChanges, Samples UsedBytesPerChange)
{
    public long BytesPerChange => (long)UsedBytesPerChange.Median;
}

/// <summary>
/// N assignments applied once, then one client moved and applied <c>changes</c> times, as an administrator's
/// everyday edits pile up in the history; the retention policy does not run (everything is younger than its window).
/// </summary>
public static class HistoryGrowth
{
    public const int TargetSize = 10_000;
    public const int TargetChanges = 100;
    public const long TargetFileBytes = 50L * 1024 * 1024;
    public const long TargetBytesPerChange = 100L * 1024;

    public static async Task<HistoryGrowthResult> RunAsync(BenchConsole console, SeededInventory seeded, int changes, Action<string> log, CancellationToken ct)
    {
        await ApplyAsync(console, ct);
        var afterFirst = await MeasureAsync(console, ct);
        var used = afterFirst.Used;
        var deltas = new List<double>();
        for (var i = 1; i <= changes; i++)
        {
            await console.Assignments.ReassignAsync(seeded.MovingAssignmentId, i % 2 == 1 ? seeded.SpareAddressId : seeded.OriginalAddressId, BenchConsole.Admin, ct);
            await ApplyAsync(console, ct);
            var now = await MeasureAsync(console, ct);
            deltas.Add(now.Used - used);
            used = now.Used;
            if (i % 10 == 0) log($"history: {i}/{changes} one-client changes on {seeded.Assignments:N0}, file {now.File / 1024.0 / 1024:N1} MiB, last change +{deltas[^1] / 1024:N1} KiB");
        }
        var end = await MeasureAsync(console, ct);
        return new HistoryGrowthResult(console.Backend.Name, seeded.Assignments, changes, afterFirst.File, end.File, Samples.Of(deltas));
    }

    private static async Task ApplyAsync(BenchConsole console, CancellationToken ct)
    {
        var preview = await console.Engine.PreviewApplyAsync(ct);
        var result = await console.Engine.ApplyAsync(new ApplyRequest(BenchConsole.Admin, "history benchmark", preview.Fingerprint), ct);
        if (result.Kind != ApplyResultKind.Applied)
            throw new InvalidOperationException($"The apply did not go through ({result.Kind}): {result.Message} {result.Error}");
    }

    /// <summary>The write-ahead log folded into the file first, so the file's size is what the history holds.</summary>
    private static async Task<(long File, long Used)> MeasureAsync(BenchConsole console, CancellationToken ct)
    {
        await using var db = await console.OpenDatabaseAsync(ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        var used = await db.Database.SqlQueryRaw<long>(
            "SELECT (p.\"page_count\" - f.\"freelist_count\") * s.\"page_size\" AS \"Value\" FROM pragma_page_count p, pragma_freelist_count f, pragma_page_size s").SingleAsync(ct);
        return (console.DatabaseBytes(), used);
    }
}
