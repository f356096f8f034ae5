using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.History.Storage;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>Old history is deleted on a schedule, audited, and its space given back; whatever the console still needs stays.</summary>
public sealed class HistoryRetentionSpecs : IAsyncLifetime
{
    private TestConsole _router = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private HistoryRetention Retention => _router.Get<HistoryRetention>();

    public async ValueTask InitializeAsync() => _router = await TestConsole.StartAsync();

    public async ValueTask DisposeAsync() => await _router.DisposeAsync();

    /// <summary>300 mappings applied, then <paramref name="changes"/> applies each removing one more, ten days apart.</summary>
    private async Task<List<int>> RevisionsTenDaysApartAsync(int changes)
    {
        var (first, _, _) = await SnapshotStorageSpecs.SeedAsync(_router, 300);
        var ids = new List<int> { await ApplyAsync() };
        for (var k = 0; k < changes; k++)
        {
            _router.Clock.Advance(TimeSpan.FromDays(10));
            await _router.Assignments.UnassignAsync(first + k, Actors.Admin, Ct);
            ids.Add(await ApplyAsync());
        }
        return ids;
    }

    private async Task<int> ApplyAsync(TimeSpan? confirmWithin = null)
    {
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        var result = await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "retention", preview.Fingerprint, confirmWithin), Ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        return result.RevisionId!.Value;
    }

    private async Task<int[]> StoredRevisionsAsync()
    {
        await using var db = _router.NewContext();
        return await db.Revisions.OrderBy(r => r.Id).Select(r => r.Id).ToArrayAsync(Ct);
    }

    [Fact]
    public async Task Revisions_older_than_both_windows_go_with_their_unused_chunks_and_the_space_goes_back_to_the_file_system()
    {
        var ids = await RevisionsTenDaysApartAsync(6); // started on days 0, 10, …, 60

        var result = await Retention.PruneAsync(new HistoryOptions { KeepLast = 2, KeepFor = TimeSpan.FromDays(25) }, Ct);

        // Kept: started within 25 days (days 40, 50, 60), which include the newest two and the one in effect.
        Assert.Equal(ids[..4], result.DeletedRevisions);
        Assert.Equal(ids[4..], await StoredRevisionsAsync());
        Assert.True(result.DeletedChunks > 0);
        Assert.True(result.BytesAfter < result.BytesBefore, $"the file went from {result.BytesBefore:N0} to {result.BytesAfter:N0} bytes");
        await using var db = _router.NewContext();
        Assert.Equal(0, await db.Database.SqlQueryRaw<long>("""SELECT "freelist_count" AS "Value" FROM pragma_freelist_count""").SingleAsync(Ct));
        var named = new HashSet<long>();
        foreach (var column in SnapshotStorage.ManifestColumns)
            foreach (var manifest in await db.RevisionSnapshots.Select(s => EF.Property<string>(s, column)).ToListAsync(Ct))
                named.UnionWith(SnapshotStorage.Ids(manifest));
        Assert.Equal(named.Order(), await db.SnapshotChunks.Select(c => c.Id).OrderBy(id => id).ToListAsync(Ct));
        var audit = await db.Audit.AsNoTracking().SingleAsync(a => a.Action == AuditActions.HistoryPrune, Ct);
        Assert.Equal(("system", "History"), (audit.Actor, audit.Subject));
        Assert.StartsWith($"Deleted 4 revision(s) (#{ids[0]}–#{ids[3]}) and {result.DeletedChunks} unused snapshot chunk(s)", audit.Details);
    }

    [Fact]
    public async Task What_is_kept_still_serves_the_details_page_the_drift_check_a_rollback_and_the_boot_restore()
    {
        var ids = await RevisionsTenDaysApartAsync(4);
        await Retention.PruneAsync(new HistoryOptions { KeepLast = 2, KeepFor = TimeSpan.Zero }, Ct);
        Assert.Equal(ids[3..], await StoredRevisionsAsync());

        var details = await _router.Get<HistoryService>().GetDetailsAsync(ids[3], Ct);
        Assert.NotNull(details);
        Assert.Contains(details.Diff, line => line.Unified.StartsWith('-'));
        var check = await _router.Engine.CheckAsync(Ct);
        Assert.Equal(ids[^1], check.BaselineRevisionId);
        Assert.True(check.Drift is { InSync: true } && check.Pending.InSync, "the kernel matches the kept baseline and the inventory");

        var back = await _router.Engine.PreviewRollbackAsync(ids[3], Ct);
        var rollback = await _router.Engine.RollbackAsync(ids[3], new ApplyRequest(Actors.Admin, "back", back.Fingerprint), Ct);
        Assert.Equal(ApplyResultKind.Applied, rollback.Kind);
        await using (var db = _router.NewContext())
            Assert.Equal(300 - 3, await db.Assignments.CountAsync(Ct));

        // The kernel lost its rules (a reboot): the last confirmed revision, the rollback, comes back.
        await _router.Kernel.RestoreAsync(RestoreScriptWriter.Write(OwnedState.Nothing, (await _router.ReadKernelAsync()).Owned), Ct);
        var restored = await _router.Engine.RestoreConfirmedAsync(Ct);
        Assert.True(restored is { Succeeded: true }, restored?.Message);
        Assert.Equal(300 - 3, (await _router.ReadKernelAsync()).Owned.SnatRules.Count);
    }

    [Fact]
    public async Task A_change_awaiting_confirmation_and_the_state_it_rolls_back_to_survive_and_the_automatic_rollback_still_works()
    {
        var ids = await RevisionsTenDaysApartAsync(2);
        var first = ids[0];
        await using (var db = _router.NewContext())
        {
            var assignment = await db.Assignments.OrderByDescending(a => a.Id).Select(a => a.Id).FirstAsync(Ct);
            await _router.Assignments.UnassignAsync(assignment, Actors.Admin, Ct);
        }
        var risky = await ApplyAsync(TimeSpan.FromSeconds(60));
        var confirmations = _router.Get<ConfirmationService>();
        await confirmations.RefreshAsync(Ct);

        var result = await Retention.PruneAsync(new HistoryOptions { KeepLast = 1, KeepFor = TimeSpan.Zero }, Ct);

        Assert.Equal([first, ids[1]], result.DeletedRevisions);
        Assert.Equal([ids[2], risky], await StoredRevisionsAsync());
        _router.Clock.Advance(TimeSpan.FromSeconds(61));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await using (var db = _router.NewContext())
        {
            Assert.Equal(RevisionStatus.Reverted, (await db.Revisions.SingleAsync(r => r.Id == risky, Ct)).Status);
            Assert.Equal(300 - 2, await db.Assignments.CountAsync(Ct));
        }
        Assert.Equal(300 - 2, (await _router.ReadKernelAsync()).Owned.SnatRules.Count);
    }

    [Fact]
    public async Task The_background_service_prunes_at_start_and_then_every_interval_of_the_clock()
    {
        var ids = await RevisionsTenDaysApartAsync(2);
        var options = new HistoryOptions { KeepLast = 1, KeepFor = TimeSpan.Zero, PruneInterval = TimeSpan.FromHours(6) };
        using var service = new HistoryRetentionService(Retention, Options.Create(options), _router.Clock, NullLogger<HistoryRetentionService>.Instance);

        await service.StartAsync(Ct);
        await UntilAsync(async () => (await StoredRevisionsAsync()).Length == 1);
        Assert.Equal([ids[2]], await StoredRevisionsAsync());

        await using (var db = _router.NewContext())
            await _router.Assignments.UnassignAsync(await db.Assignments.Select(a => a.Id).FirstAsync(Ct), Actors.Admin, Ct);
        var next = await ApplyAsync();
        _router.Clock.Advance(TimeSpan.FromHours(5));
        await Task.Delay(200, Ct);
        Assert.Equal(2, (await StoredRevisionsAsync()).Length);
        _router.Clock.Advance(TimeSpan.FromHours(1));
        await UntilAsync(async () => (await StoredRevisionsAsync()).Length == 1);
        Assert.Equal([next], await StoredRevisionsAsync());
        await service.StopAsync(Ct);

        await using var audit = _router.NewContext();
        Assert.Equal(2, await audit.Audit.CountAsync(a => a.Action == AuditActions.HistoryPrune, Ct));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++) await Task.Delay(50, Ct);
        Assert.True(await condition(), "timed out waiting for the retention");
    }
}
