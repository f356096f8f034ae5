using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Notifications;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Status;

/// <summary>
/// The drift policy on the simulated router and the fake clock: each check is one tick of the background watcher,
/// the chain flushed behind the console's back between them.
/// </summary>
public sealed class DriftRepairSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private TestConsole _router = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private DriftRepair Repair => _router.Get<DriftRepair>();
    private readonly List<Notification> _raised = [];

    public async ValueTask DisposeAsync()
    {
        if (_router is not null) await _router.DisposeAsync();
    }

    private async Task StartAsync(string policy = "Repair") => _router = await NewConsoleAsync(policy);

    private static Task<TestConsole> NewConsoleAsync(string policy) => TestConsole.StartAsync(ConsoleSetup.Simulated()
        .With("RouterAdmin:Drift:Policy", policy).With("RouterAdmin:Drift:MaxRepairsInARow", "2"));

    [Fact]
    public async Task With_Repair_a_drift_is_reapplied_as_the_system_at_most_once_per_interval()
    {
        var applied = await AliceAppliedAsync();

        await FlushOwnedChainAsync();
        var afterRepair = await Repair.CheckAsync(Ct);

        Assert.False(afterRepair.Drifted, "the repair put revision back");
        var repair = (await RevisionsAsync())[^1];
        Assert.Equal((RevisionKind.Reapply, RevisionStatus.Applied, "system", applied), (repair.Kind, repair.Status, repair.Actor, repair.RollbackTargetId));
        Assert.Contains("drift repair", repair.Reason);
        Assert.Equal((1, 1, _router.Clock.GetUtcNow()), (Repair.State.Repairs, Repair.State.InARow, Repair.State.LastRepairAt!.Value));
        Assert.Contains(AuditActions.Reapply, await AuditByAsync("system"));

        await FlushOwnedChainAsync();
        _router.Clock.Advance(Interval / 2);
        Assert.True((await Repair.CheckAsync(Ct)).Drifted, "half an interval after a repair, none is made");
        Assert.Single(await RevisionsAsync(), r => r.Kind == RevisionKind.Reapply);

        _router.Clock.Advance(Interval / 2);
        Assert.False((await Repair.CheckAsync(Ct)).Drifted);
        Assert.Equal((2, 2), (Repair.State.Repairs, Repair.State.InARow));
        Assert.Equal([NotificationKind.DriftRepaired, NotificationKind.DriftRepaired], Raised().Select(n => n.Kind));
    }

    [Fact]
    public async Task A_drift_that_keeps_coming_back_stops_being_repaired_and_alerts_until_the_router_is_clean()
    {
        await AliceAppliedAsync();
        for (var repairs = 1; repairs <= 2; repairs++)
        {
            await FlushOwnedChainAsync();
            Assert.False((await Repair.CheckAsync(Ct)).Drifted);
            _router.Clock.Advance(Interval);
        }

        await FlushOwnedChainAsync();
        var third = await Repair.CheckAsync(Ct);

        Assert.True(third.Drifted);
        Assert.True(Repair.State.Stopped);
        Assert.Contains("3 times in a row", Repair.State.StoppedBecause);
        Assert.Equal(2, (await RevisionsAsync()).Count(r => r.Kind == RevisionKind.Reapply));
        var stopped = Raised().Last();
        Assert.Equal(NotificationKind.DriftRepairStopped, stopped.Kind);
        Assert.Equal("drift-repair-stopped", stopped.KindName);
        _router.Clock.Advance(Interval);
        Assert.True((await Repair.CheckAsync(Ct)).Drifted, "stopped: no repair at the next tick either");
        Assert.Equal(2, (await RevisionsAsync()).Count(r => r.Kind == RevisionKind.Reapply));

        // A person re-applies; the next clean check starts the count again.
        Assert.Equal(ApplyResultKind.Applied, (await _router.Engine.ReapplyAsync(new ApplyRequest(Actors.Admin, "fixed the cron job", third.Drift!.Fingerprint), Ct)).Kind);
        Assert.False((await Repair.CheckAsync(Ct)).Drifted);
        Assert.Equal((false, 0), (Repair.State.Stopped, Repair.State.InARow));
    }

    [Fact]
    public async Task A_failed_repair_stops_repairing_and_alerts()
    {
        await AliceAppliedAsync();
        await FlushOwnedChainAsync();
        _router.Kernel.BeforeNextRestore = _ => throw new FirewallCommandException("iptables-restore", 4, "iptables-restore: resource busy");

        var status = await Repair.CheckAsync(Ct);

        Assert.True(status.Drifted);
        Assert.True(Repair.State.Stopped);
        Assert.Contains("the repair failed", Repair.State.StoppedBecause);
        Assert.Equal(RevisionStatus.Failed, (await RevisionsAsync())[^1].Status);
        Assert.Equal(NotificationKind.DriftRepairStopped, Raised().Single().Kind);
        _router.Clock.Advance(Interval);
        await Repair.CheckAsync(Ct);
        Assert.Single(await RevisionsAsync(), r => r.Kind == RevisionKind.Reapply);
    }

    [Fact]
    public async Task While_a_change_awaits_confirmation_a_drift_is_alerted_and_not_repaired()
    {
        await AliceAppliedAsync(confirmWithin: TimeSpan.FromMinutes(5));
        await _router.Get<ConfirmationService>().RefreshAsync(Ct);
        await FlushOwnedChainAsync();

        var status = await Repair.CheckAsync(Ct);

        Assert.True(status.Drifted);
        Assert.DoesNotContain(await RevisionsAsync(), r => r.Kind == RevisionKind.Reapply);
        Assert.Equal(NotificationKind.Drift, Raised().Single().Kind);
        Assert.False(Repair.State.Stopped);
    }

    [Fact]
    public async Task With_Alert_a_drift_is_notified_once_and_left_for_a_person()
    {
        await StartAsync("Alert");
        await AliceAppliedAsync();
        await FlushOwnedChainAsync();

        Assert.True((await Repair.CheckAsync(Ct)).Drifted);
        _router.Clock.Advance(Interval);
        Assert.True((await Repair.CheckAsync(Ct)).Drifted);

        Assert.DoesNotContain(await RevisionsAsync(), r => r.Kind == RevisionKind.Reapply);
        var drift = Raised().Single();
        Assert.Equal(NotificationKind.Drift, drift.Kind);
        Assert.Equal("1", drift.Facts["revision"]);
        Assert.Equal(0, Repair.State.Repairs);
    }

    private async Task<int> AliceAppliedAsync(TimeSpan? confirmWithin = null)
    {
        _router ??= await NewConsoleAsync("Repair");
        var alice = await _router.Clients.CreateAsync(Make.Client("Alice", "192.168.1.2"), Actors.Admin, Ct);
        var vpn = await _router.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        var external = await _router.Addresses.CreateAsync(Make.External("203.0.113.9"), Actors.Admin, Ct);
        await _router.Assignments.AssignAsync(alice, vpn, external, Actors.Admin, Ct);
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        var result = await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice", preview.Fingerprint, confirmWithin), Ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        return result.RevisionId!.Value;
    }

    /// <summary>Someone removes RouterAdmin's chain and jump behind the console's back (the lab specs flush the real one).</summary>
    private async Task FlushOwnedChainAsync() =>
        await _router.Kernel.RestoreAsync(RestoreScriptWriter.Write(OwnedState.Nothing, (await _router.ReadKernelAsync()).Owned), Ct);

    /// <summary>What has been queued for delivery so far (no dispatcher runs here, so the queue keeps it).</summary>
    private List<Notification> Raised()
    {
        while (_router.Get<Notifier>().Queue.TryRead(out var notification)) _raised.Add(notification);
        return _raised;
    }

    private async Task<List<Revision>> RevisionsAsync()
    {
        await using var db = _router.NewContext();
        return await db.Revisions.AsNoTracking().OrderBy(r => r.Id).ToListAsync(Ct);
    }

    private async Task<List<string>> AuditByAsync(string actor)
    {
        await using var db = _router.NewContext();
        return await db.Audit.AsNoTracking().Where(a => a.Actor == actor).Select(a => a.Action).ToListAsync(Ct);
    }
}
