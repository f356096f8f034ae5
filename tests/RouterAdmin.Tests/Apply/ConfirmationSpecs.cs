using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>The confirmation window always ends: confirmed, rolled back, or marked for a person when the rollback cannot run.</summary>
public sealed class ConfirmationSpecs : ApplyEngineSpecs
{
    private ConfirmationService Confirmations => Router.Get<ConfirmationService>();

    [Fact]
    public async Task A_confirmation_window_outside_15_seconds_to_an_hour_is_refused_before_anything_runs()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);

        var tooShort = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "x", preview.Fingerprint, TimeSpan.FromSeconds(5)), Ct);
        var tooLong = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "x", preview.Fingerprint, TimeSpan.FromDays(60)), Ct);

        Assert.Equal((ApplyResultKind.Refused, ApplyResultKind.Refused), (tooShort.Kind, tooLong.Kind));
        Assert.Contains("between 15 seconds and 60 minutes", tooShort.Message);
        Assert.Empty(await RevisionsAsync());
    }

    [Fact]
    public async Task When_the_router_is_already_back_at_the_deadline_the_change_is_marked_reverted_and_the_timer_stops()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);
        var applied = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "risky", preview.Fingerprint, TimeSpan.FromSeconds(60)), Ct);
        await Confirmations.RefreshAsync(Ct);
        // Someone put the router back by hand during the window.
        await Router.Kernel.RestoreAsync(RestoreScriptWriter.Write(OwnedState.Nothing, (await Router.ReadKernelAsync()).Owned), Ct);
        await Router.Kernel.DeleteAddressAsync(new BoundAddress(System.Net.IPAddress.Parse("203.0.113.9"), 24, "eth1"), Ct);

        Router.Clock.Advance(TimeSpan.FromSeconds(61));
        await Confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var revisions = await RevisionsAsync();
        Assert.Equal(RevisionStatus.Reverted, revisions.Single(r => r.Id == applied.RevisionId).Status);
        Assert.Null(Confirmations.Pending);
        Router.Clock.Advance(TimeSpan.FromSeconds(61));
        await Confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(revisions.Count, (await RevisionsAsync()).Count);
    }

    [Fact]
    public async Task When_the_automatic_rollback_fails_the_change_is_marked_as_still_in_effect_and_not_retried_in_a_loop()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);
        var applied = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "risky", preview.Fingerprint, TimeSpan.FromSeconds(60)), Ct);
        await Confirmations.RefreshAsync(Ct);
        Router.Kernel.BeforeNextRestore = _ => throw new RouterAdmin.Firewall.Backends.FirewallCommandException("iptables-restore", 4, "iptables-restore: resource busy");

        Router.Clock.Advance(TimeSpan.FromSeconds(61));
        await Confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var revisions = await RevisionsAsync();
        var unconfirmed = revisions.Single(r => r.Id == applied.RevisionId);
        Assert.Equal(RevisionStatus.RevertFailed, unconfirmed.Status);
        Assert.Contains("automatic rollback failed", unconfirmed.Outcome);
        Assert.Null(Confirmations.Pending);
        Assert.Equal("rollback.automatic.failed", (await AuditActionsAsync())[^1]);
        Router.Clock.Advance(TimeSpan.FromMinutes(5));
        await Confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(revisions.Count, (await RevisionsAsync()).Count);
    }
}
