using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>
/// Rolling back to a revision puts back both the kernel and the inventory as they were, is previewed and recorded like
/// any apply, and can itself be rolled back.
/// </summary>
public sealed class RollbackSpecs : ApplyEngineSpecs
{
    private int _first, _second;
    private string _firstInventory = "", _secondInventory = "";

    /// <summary>Revision 1: Alice leaves from .9. Revision 2: .9 deleted, Alice moved to .10, Bob added on .11.</summary>
    private async Task TwoRevisionsAsync()
    {
        var (alice, vpn, nine) = await AliceLeavesFromAsync("203.0.113.9");
        _first = (await PreviewAndApplyAsync("first")).RevisionId!.Value;
        _firstInventory = (await Store.CaptureAsync(Ct)).ToJson();

        await Addresses.DeleteAsync(nine, 1, Actors.Admin, Ct);
        await Addresses.CreateAsync(Make.External("203.0.113.10", bindOnWan: true), Actors.Admin, Ct);
        await Addresses.CreateAsync(Make.External("203.0.113.11", bindOnWan: true), Actors.Admin, Ct);
        var bob = await Clients.CreateAsync(Make.Client("Bob", "192.168.1.3"), Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(bob, vpn, Actors.Admin, Ct);
        _second = (await PreviewAndApplyAsync("second")).RevisionId!.Value;
        _secondInventory = (await Store.CaptureAsync(Ct)).ToJson();
    }

    private async Task<Revision> RevisionAsync(int id) => (await RevisionsAsync()).Single(r => r.Id == id);

    private async Task<ApplyResult> PreviewAndRollBackAsync(int revision, string reason = "Bob's rules broke the VPN")
    {
        var preview = await Engine.PreviewRollbackAsync(revision, Ct);
        return await Engine.RollbackAsync(revision, new ApplyRequest(Actors.OtherAdmin, reason, preview.Fingerprint), Ct);
    }

    [Fact]
    public async Task Rolling_back_restores_the_kernel_and_the_inventory_of_that_revision()
    {
        await TwoRevisionsAsync();

        var result = await PreviewAndRollBackAsync(_first);

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.StartsWith($"Rolled back to revision {_first} as revision {result.RevisionId}", result.Message);
        var kernel = await Router.ReadKernelAsync();
        Assert.True(kernel.Owned.IsEquivalentTo(OwnedState.FromJson((await RevisionAsync(_first)).Snapshot.AfterStateJson)));
        Assert.Equal(["203.0.113.9/24 dev eth1"], kernel.Owned.Addresses.Select(a => a.ToString()));
        Assert.Equal(_firstInventory, (await Store.CaptureAsync(Ct)).ToJson());
        Assert.True((await Engine.PreviewApplyAsync(Ct)).InSync);
    }

    [Fact]
    public async Task A_rollback_is_recorded_as_a_revision_of_its_own_naming_its_target()
    {
        await TwoRevisionsAsync();

        var result = await PreviewAndRollBackAsync(_first);

        var revision = await RevisionAsync(result.RevisionId!.Value);
        Assert.Equal((RevisionKind.Rollback, RevisionStatus.Applied, (int?)_first, "otto", "Bob's rules broke the VPN"),
            (revision.Kind, revision.Status, revision.RollbackTargetId, revision.Actor, revision.Reason));
        Assert.Equal(_firstInventory, revision.Snapshot.InventoryJson);
        Assert.True(OwnedState.FromJson(revision.Snapshot.BeforeStateJson).IsEquivalentTo(OwnedState.FromJson((await RevisionAsync(_second)).Snapshot.AfterStateJson)));
        Assert.Equal("rollback", (await AuditActionsAsync())[^1]);
    }

    [Fact]
    public async Task A_rollback_can_itself_be_undone_by_rolling_back_to_the_revision_it_replaced()
    {
        await TwoRevisionsAsync();
        var back = await PreviewAndRollBackAsync(_first, "undo");

        var forward = await PreviewAndRollBackAsync(_second, "redo");

        Assert.Equal((ApplyResultKind.Applied, ApplyResultKind.Applied), (back.Kind, forward.Kind));
        Assert.Equal(_secondInventory, (await Store.CaptureAsync(Ct)).ToJson());
        Assert.True((await Router.ReadKernelAsync()).Owned.IsEquivalentTo(OwnedState.FromJson((await RevisionAsync(_second)).Snapshot.AfterStateJson)));
    }

    [Fact]
    public async Task A_rollback_to_the_inventory_already_in_effect_still_records_itself()
    {
        await TwoRevisionsAsync();

        var result = await PreviewAndRollBackAsync(_second, "no-op on purpose");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal(RevisionKind.Rollback, (await RevisionAsync(result.RevisionId!.Value)).Kind);
    }

    [Fact]
    public async Task A_rollback_whose_preview_no_longer_matches_the_router_is_refused_and_nothing_changes()
    {
        await TwoRevisionsAsync();
        var preview = await Engine.PreviewRollbackAsync(_first, Ct);
        // Someone removes one of RouterAdmin's addresses by hand: the rollback would now have other work to do.
        var ten = (await Router.ReadKernelAsync()).Owned.Addresses.First();
        await Router.Kernel.DeleteAddressAsync(ten, Ct);
        var kernel = await KernelTextAsync();
        var addresses = await Router.Kernel.ReadAddressesAsync(Ct);

        var result = await Engine.RollbackAsync(_first, new ApplyRequest(Actors.Admin, "undo", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.Equal(kernel, await KernelTextAsync());
        Assert.Equal(addresses, await Router.Kernel.ReadAddressesAsync(Ct));
        Assert.Equal(_secondInventory, (await Store.CaptureAsync(Ct)).ToJson());
    }

    // A rollback replaces the whole inventory, so an edit made after its preview (not in the list it showed) must refuse it.
    [Fact]
    public async Task A_rollback_is_refused_when_the_inventory_changed_since_its_preview_so_nothing_unseen_is_deleted()
    {
        await TwoRevisionsAsync();
        var preview = await Engine.PreviewRollbackAsync(_first, Ct);
        var carol = await Clients.CreateAsync(Make.Client("Carol", "192.168.1.4"), Actors.Admin, Ct);

        var result = await Engine.RollbackAsync(_first, new ApplyRequest(Actors.OtherAdmin, "undo", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.NotNull(await Clients.GetAsync(carol, Ct));
    }

    [Fact]
    public async Task Rolling_back_to_a_revision_that_never_took_effect_is_refused()
    {
        await AliceLeavesFromAsync("203.0.113.9", bind: false);
        await JumpSecondAsync();
        var failed = (await ApplyWhileSomeoneDeletesTheJumpAsync()).RevisionId!.Value;

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Engine.PreviewRollbackAsync(failed, Ct));

        Assert.Equal($"Revision {failed} was never in effect (failed, previous state restored); roll back to one that was.", refusal.Message);
    }

    [Fact]
    public async Task A_viewer_cannot_roll_back()
    {
        await TwoRevisionsAsync();
        var preview = await Engine.PreviewRollbackAsync(_first, Ct);

        await Assert.ThrowsAsync<Forbidden>(() => Engine.RollbackAsync(_first, new ApplyRequest(Actors.Viewer, "undo", preview.Fingerprint), Ct));

        Assert.Equal(_secondInventory, (await Store.CaptureAsync(Ct)).ToJson());
    }
}
