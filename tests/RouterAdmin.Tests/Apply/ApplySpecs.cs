using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>Preview, then apply exactly what was previewed, with a reason; afterwards the router is in sync.</summary>
public sealed class ApplySpecs : ApplyEngineSpecs
{
    [Fact]
    public async Task Applying_the_previewed_change_puts_it_on_the_router_and_the_next_preview_is_in_sync()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "ticket 42: Alice's VPN", preview.Fingerprint), Ct);

        Assert.False(preview.InSync);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.True(result.Succeeded);
        Assert.StartsWith($"Applied as revision {result.RevisionId}:", result.Message);
        Assert.True((await Engine.PreviewApplyAsync(Ct)).InSync);
        var kernel = await Router.ReadKernelAsync();
        Assert.Equal([JumpLine, MasqueradeLine], Lines(kernel.Table, OwnedChains.Postrouting));
        Assert.Equal(
            ["-A ROUTERADMIN-SNAT -s 192.168.1.2/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Alice to Contivity\" -j SNAT --to-source 203.0.113.9"],
            Lines(kernel.Table, OwnedChains.Snat));
        Assert.Equal([new BoundAddress(IPAddress.Parse("203.0.113.9"), 24, "eth1")], kernel.Owned.Addresses);
    }

    [Fact]
    public async Task The_revision_records_who_why_what_ran_and_what_was_there_before()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var before = await KernelTextAsync();
        var preview = await Engine.PreviewApplyAsync(Ct);

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "  ticket 42  ", preview.Fingerprint), Ct);

        var revision = Assert.Single(await RevisionsAsync());
        Assert.Equal(result.RevisionId, revision.Id);
        Assert.Equal((RevisionKind.Apply, RevisionStatus.Applied, "ada", "ticket 42", "simulated"),
            (revision.Kind, revision.Status, revision.Actor, revision.Reason, revision.Backend));
        Assert.Equal(preview.Transaction, revision.Snapshot.RestoreScript);
        Assert.Equal(preview.UnifiedDiff, string.Join('\n', RevisionDiff.Of(revision.Snapshot, Router.Get<IFirewallBackend>()).Select(l => l.Unified)));
        Assert.Equal(before, revision.Snapshot.BeforeNatTable);
        Assert.True(OwnedState.FromJson(revision.Snapshot.BeforeStateJson).IsEquivalentTo(OwnedState.Nothing));
        Assert.True(OwnedState.FromJson(revision.Snapshot.AfterStateJson).IsEquivalentTo(((IptablesChange)preview.Change).Desired));
        Assert.Equal((await Store.CaptureAsync(Ct)).ToJson(), revision.Snapshot.InventoryJson);
        Assert.Equal((preview.RulesAdded, preview.RulesRemoved), (revision.RulesAdded, revision.RulesRemoved));
        Assert.Contains("ip addr add 203.0.113.9/24 dev eth1 label eth1:ra", revision.Snapshot.CommandsText);
        Assert.Equal(InventorySpecs.Start, revision.StartedAt);
        Assert.Equal("apply", (await AuditActionsAsync())[^1]);
    }

    [Fact]
    public async Task When_the_router_already_matches_nothing_runs_and_nothing_is_recorded()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        await PreviewAndApplyAsync();
        var revisions = (await RevisionsAsync()).Count;

        var result = await PreviewAndApplyAsync("again");

        Assert.Equal(ApplyResultKind.NothingToDo, result.Kind);
        Assert.Equal("The router already matches the inventory; nothing was run.", result.Message);
        Assert.Equal(revisions, (await RevisionsAsync()).Count);
    }

    [Fact]
    public async Task A_preview_outdated_by_an_inventory_change_is_refused_and_nothing_changes()
    {
        var (_, vpn, _) = await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);
        var bob = await Clients.CreateAsync(Make.Client("Bob", "192.168.1.3"), Actors.OtherAdmin, Ct);
        await Addresses.CreateAsync(Make.External("203.0.113.10"), Actors.OtherAdmin, Ct);
        await Assignments.AssignFreeAsync(bob, vpn, Actors.OtherAdmin, Ct);
        var kernel = await KernelTextAsync();

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "ticket 42", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.Equal("The router or the inventory changed since this preview was made; nothing was applied. Review the new diff and apply again.", result.Message);
        Assert.Null(result.RevisionId);
        Assert.Equal(kernel, await KernelTextAsync());
        Assert.Empty(await Router.Kernel.ReadAddressesAsync(Ct));
        Assert.Empty(await RevisionsAsync());
    }

    [Fact]
    public async Task A_preview_outdated_by_someone_changing_the_router_is_refused_and_their_change_is_kept()
    {
        await AliceLeavesFromAsync("203.0.113.9", bind: false);
        var preview = await Engine.PreviewApplyAsync(Ct);
        // Someone else SNATs another machine to the VPN server by hand, in RouterAdmin's chain: the apply would now
        // also end that mapping (and reset its flow), which the preview did not show.
        await Router.Kernel.RestoreAsync("*nat\n:ROUTERADMIN-SNAT - [0:0]\n:ROUTERADMIN-MASQ - [0:0]\n-A ROUTERADMIN-SNAT -s 192.168.1.7/32 -d 198.51.100.10/32 -j SNAT --to-source 203.0.113.77\nCOMMIT\n", Ct);
        var kernel = await KernelTextAsync();

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "ticket 42", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.Equal(kernel, await KernelTextAsync());
    }

    public static TheoryData<string, string> BadReasons => new()
    {
        { "", "Say why: a reason is required, so the history explains the change." },
        { "   ", "Say why: a reason is required, so the history explains the change." },
        { "ticket 42\nCOMMIT", "The reason must be one line of at most 500 characters." },
        { new string('r', 501), "The reason must be one line of at most 500 characters." },
    };

    [Theory]
    [MemberData(nameof(BadReasons))]
    public async Task A_missing_or_unusable_reason_is_refused_and_nothing_runs(string reason, string message)
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);
        var kernel = await KernelTextAsync();

        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, reason, preview.Fingerprint), Ct);

        Assert.Equal((ApplyResultKind.Refused, message), (result.Kind, result.Message));
        Assert.Equal(kernel, await KernelTextAsync());
        Assert.Empty(await RevisionsAsync());
    }

    [Fact]
    public async Task A_viewer_cannot_apply()
    {
        await AliceLeavesFromAsync("203.0.113.9");
        var preview = await Engine.PreviewApplyAsync(Ct);
        var kernel = await KernelTextAsync();

        await Assert.ThrowsAsync<Forbidden>(() => Engine.ApplyAsync(new ApplyRequest(Actors.Viewer, "because", preview.Fingerprint), Ct));

        Assert.Equal(kernel, await KernelTextAsync());
        Assert.Empty(await RevisionsAsync());
    }

    [Fact]
    public async Task A_disabled_client_loses_its_rule_on_the_next_apply()
    {
        var (alice, _, _) = await AliceLeavesFromAsync("203.0.113.9", bind: false);
        await PreviewAndApplyAsync();
        await Clients.UpdateAsync(alice, Make.Client("Alice", "192.168.1.2", enabled: false), Actors.Admin, Ct);

        var preview = await Engine.PreviewApplyAsync(Ct);
        var result = await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice left", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Single(preview.FlowsToReset);
        Assert.Empty((await Router.ReadKernelAsync()).Owned.SnatRules);
    }

    // An address the plan wants that someone already bound by hand (without RouterAdmin's label) is there: it must be
    // neither bound again nor counted as missing by the verify step.
    [Fact]
    public async Task An_address_already_bound_by_hand_that_RouterAdmin_is_asked_to_bind_does_not_make_every_apply_fail()
    {
        await AliceLeavesFromAsync("203.0.113.9", bind: true);
        await Router.Kernel.SaveNatTableAsync(false, Ct); // creates the simulated kernel
        await using (var db = Router.NewContext())
        {
            var kernel = await db.SimulatedKernel.SingleAsync(Ct);
            kernel.AddressesJson = """[{"Address":"203.0.113.9","PrefixLength":24,"Interface":"eth1","Label":"eth1"}]""";
            await db.SaveChangesAsync(Ct);
        }

        var result = await PreviewAndApplyAsync();

        Assert.True(result.Succeeded, $"{result.Kind}: {result.Message} {result.Error}");
        Assert.True((await Engine.PreviewApplyAsync(Ct)).InSync);
    }
}
