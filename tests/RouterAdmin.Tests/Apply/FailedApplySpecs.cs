using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>When a step fails the snapshot is put back, and the revision says which step failed and what the tool said.</summary>
public sealed class FailedApplySpecs : ApplyEngineSpecs
{
    [Fact]
    public async Task When_unbinding_an_address_fails_the_previous_state_is_restored_and_the_failed_step_recorded()
    {
        var (alice, vpn, nine) = await AliceLeavesFromAsync("203.0.113.9");
        var first = (await PreviewAndApplyAsync("first")).RevisionId!.Value;
        await Addresses.DeleteAsync(nine, 1, Actors.Admin, Ct);
        await Addresses.CreateAsync(Make.External("203.0.113.10", bindOnWan: true), Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);
        var preview = await Engine.PreviewApplyAsync(Ct);
        // Someone removes 203.0.113.9 by hand while the apply runs: the engine's own "ip addr del" then finds nothing.
        Router.Kernel.BeforeNextAddressDeletion = (inner, address) => inner.DeleteAddressAsync(address, Ct);

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "move Alice to .10", preview.Fingerprint), Ct);

        Assert.Equal(["203.0.113.9/24 dev eth1"], preview.AddressesToRemove.Select(a => a.ToString()));
        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("unbind addresses", result.FailedStep);
        Assert.Equal("`ip addr del 203.0.113.9/24 dev eth1   (simulated)` exited with status 2: RTNETLINK answers: Cannot assign requested address", result.Error);
        Assert.Equal("The unbind addresses step failed, so nothing was changed: The previous state was restored and verified.", result.Message);
        var kernel = await Router.ReadKernelAsync();
        Assert.True(kernel.Owned.IsEquivalentTo(OwnedState.FromJson((await RevisionsAsync()).Single(r => r.Id == first).Snapshot.AfterStateJson)));
        Assert.Equal(["203.0.113.9/24 dev eth1"], kernel.Owned.Addresses.Select(a => a.ToString()));
        var revision = (await RevisionsAsync())[^1];
        Assert.Equal((result.RevisionId, RevisionStatus.Failed, "unbind addresses", result.Error), ((int?)revision.Id, revision.Status, revision.FailedStep, revision.Error));
        Assert.Equal("The previous state was restored and verified.", revision.Outcome);
        Assert.NotNull(revision.FinishedAt);
        Assert.Equal("apply.failed", (await AuditActionsAsync())[^1]);
        Assert.False((await Engine.PreviewApplyAsync(Ct)).InSync);
    }

    [Fact]
    public async Task When_the_restore_transaction_fails_the_kernel_is_left_as_it_was_and_the_tools_words_are_kept()
    {
        await AliceLeavesFromAsync("203.0.113.9", bind: false);
        await JumpSecondAsync();
        var before = (await Router.ReadKernelAsync()).Owned;

        var result = await ApplyWhileSomeoneDeletesTheJumpAsync();

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("iptables-restore", result.FailedStep);
        Assert.Equal("`iptables-restore --noflush (simulated)` exited with status 1: iptables-restore: line 3 failed: Bad rule (does a matching rule exist in that chain?)", result.Error);
        Assert.Equal("The previous state was restored and verified.", (await RevisionsAsync())[^1].Outcome);
        var after = (await Router.ReadKernelAsync()).Owned;
        Assert.True(after.IsEquivalentTo(before), "the jump someone deleted is back where the snapshot had it");
        Assert.Equal([2], after.Jumps.Select(j => j.Position));
    }

    [Fact]
    public async Task When_the_router_changes_under_the_apply_verification_catches_it_and_the_snapshot_is_restored()
    {
        var (alice, _, _) = await AliceLeavesFromAsync("203.0.113.9", bind: false);
        await PreviewAndApplyAsync("first");
        await Clients.UpdateAsync(alice, Make.Client("Alice", "192.168.1.2", enabled: false), Actors.Admin, Ct);
        var before = (await Router.ReadKernelAsync()).Owned;
        var preview = await Engine.PreviewApplyAsync(Ct);
        // Right after RouterAdmin's transaction, another tool puts its own rule first in POSTROUTING.
        Router.Kernel.AfterNextRestore = inner => inner.RestoreAsync("*nat\n-I POSTROUTING 1 -o eth2 -j RETURN\nCOMMIT\n", Ct);

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "ticket 42", preview.Fingerprint), Ct);

        Assert.Equal(("verify", ApplyResultKind.Failed), (result.FailedStep, result.Kind));
        Assert.StartsWith("The router, read back after the apply, differs from the plan:", result.Error);
        Assert.True((await Router.ReadKernelAsync()).Owned.IsEquivalentTo(before));
        Assert.Equal(RevisionStatus.Failed, (await RevisionsAsync())[^1].Status);
    }

    // A failed first apply on a router RouterAdmin never touched must leave no empty owned chains behind.
    [Fact]
    public async Task A_failed_first_apply_on_a_fresh_router_puts_it_back_exactly_as_it_was()
    {
        await AliceLeavesFromAsync("203.0.113.9", bind: false);
        var preview = await Engine.PreviewApplyAsync(Ct);
        Router.Kernel.AfterNextRestore = inner => inner.RestoreAsync("*nat\n-I POSTROUTING 1 -o eth2 -j RETURN\nCOMMIT\n", Ct);

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "first ever", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("The previous state was restored and verified.", (await RevisionsAsync())[^1].Outcome);
        Assert.True((await Router.ReadKernelAsync()).Owned.IsEquivalentTo(OwnedState.Nothing));
    }

    // When putting the snapshot back fails too, the result must not claim that nothing changed.
    [Fact]
    public async Task When_putting_the_snapshot_back_fails_too_the_result_does_not_claim_nothing_changed()
    {
        var (alice, _, _) = await AliceLeavesFromAsync("203.0.113.9", bind: false);
        await PreviewAndApplyAsync("first");
        await Clients.UpdateAsync(alice, Make.Client("Alice", "192.168.1.2", enabled: false), Actors.Admin, Ct);
        var preview = await Engine.PreviewApplyAsync(Ct);
        Router.Kernel.AfterNextRestore = inner =>
        {
            // Another tool puts its rule first (verify fails), then deletes RouterAdmin's jump just before the undo runs.
            Router.Kernel.BeforeNextRestore = again => again.RestoreAsync($"*nat\n{JumpLine.Replace("-A ", "-D ")}\nCOMMIT\n", Ct);
            return inner.RestoreAsync("*nat\n-I POSTROUTING 1 -o eth2 -j RETURN\nCOMMIT\n", Ct);
        };

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice left", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Contains("Restoring the previous state failed too", result.Message);
        Assert.DoesNotContain("nothing was changed", result.Message);
    }

    [Fact]
    public void A_failed_apply_that_the_full_disk_stopped_serializes_as_the_api_answers_it()
    {
        // The API's 500 body for a failed apply: a storage failure carries its refusal (an exception), which must not
        // break the answer a script reads.
        RouterAdmin.Refusals.StorageUnavailable caught;
        try { throw new RouterAdmin.Refusals.StorageUnavailable(RouterAdmin.Refusals.StorageFault.DiskFull, "/var/lib/routeradmin"); }
        catch (RouterAdmin.Refusals.StorageUnavailable e) { caught = e; }
        var failed = new ApplyResult(ApplyResultKind.Failed, "The disk is full.", 7, "record") { Refusal = caught };

        var json = System.Text.Json.JsonSerializer.Serialize(failed, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("The disk is full.", document.RootElement.GetProperty("message").GetString());
        Assert.Equal(7, document.RootElement.GetProperty("revisionId").GetInt32());
        Assert.False(document.RootElement.TryGetProperty("refusal", out _));
    }
}
