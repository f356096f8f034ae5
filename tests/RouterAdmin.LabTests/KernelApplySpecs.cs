using RouterAdmin.Firewall.Status;
using System.Net;
using RouterAdmin.Firewall.Backends.Iptables;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// The apply engine on the real kernel: the console's own services assign, preview and apply, and ESP and IKE packets
/// from the lab's clients prove what the router does with them.
/// </summary>
public sealed class KernelApplySpecs
{
    private const int Burst = 10;
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    private static uint SpiOf(LabClient client) => 0xE5000000u + (uint)client.Number;

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Three_clients_assigned_and_applied_through_the_console_each_reach_the_vpn_server_from_their_own_address(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await lab.IptablesAsync("-A", "FORWARD", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        var foreignBefore = await RouterSnapshot.ForeignRulesetAsync(lab, backend);
        foreach (var client in lab.Clients) await console.AssignAsync(client.Number, client.Number);

        var (preview, result) = await console.PreviewAndApplyAsync("three VPN users");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal(3, preview.Change.Desired.ToPlan().Mappings.Count);
        Assert.Equal(lab.Clients.Count, preview.FlowsToReset.Count);
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesetAsync(lab, backend));
        if (backend == "Iptables") await AssertIptablesLayoutAsync(console, lab, (IptablesChange)preview.Change, foreignBefore, ct);
        else await AssertNftablesLayoutAsync(lab);
        await AssertEachClientLeavesFromItsOwnAddressAsync(lab, ct);
    }

    /// <summary>The owned table: a nat chain before srcnat, one map rule, one element per client with its label.</summary>
    private static async Task AssertNftablesLayoutAsync(NetnsLab lab)
    {
        var table = await RouterSnapshot.OwnedRulesAsync(lab, "Nftables");
        Assert.Contains("type nat hook postrouting priority srcnat - 10; policy accept;", table);
        Assert.Contains("snat to ip saddr . ip daddr map @mappings", table);
        Assert.DoesNotContain("flags interval", table);
        foreach (var n in new[] { 1, 2, 3 })
            Assert.Contains($"192.168.1.{n + 1} . 198.51.100.10 counter comment \"client{n} to Customer_Contivity\" : 203.0.113.{n + 1}", table);
        // The lab's iptables-nft MASQUERADE is still there, in its own table, for every client the map misses.
        Assert.Contains("-A POSTROUTING -s 192.168.1.0/24 -o wan -j MASQUERADE", await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING"));
    }

    private static async Task AssertIptablesLayoutAsync(TestConsole console, NetnsLab lab, IptablesChange change, string foreignBefore, CancellationToken ct)
    {
        // Our jump sits above the MASQUERADE we do not own, and the MASQUERADE is untouched.
        var postrouting = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("-A POSTROUTING -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT", postrouting[1]);
        Assert.Equal("-A POSTROUTING -s 192.168.1.0/24 -o wan -j MASQUERADE", postrouting[2]);
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesAsync(lab));
        // The verify step's fast path holds on the real kernel: iptables-save prints the planned lines exactly.
        var host = console.Services.GetRequiredService<IIptablesHost>();
        var (natTable, addresses) = (await host.SaveNatTableAsync(false, ct), await host.ReadAddressesAsync(ct));
        Assert.True(IptablesDiffer.ShowsWantedState(change.Desired, natTable, addresses));
    }

    private static async Task AssertEachClientLeavesFromItsOwnAddressAsync(NetnsLab lab, CancellationToken ct)
    {
        var receiver = await lab.StartEspReceiverAsync(ct);
        foreach (var client in lab.Clients)
            await (await lab.OpenEspSenderAsync(client, ct)).SendAsync(NetnsLab.VpnServer, SpiOf(client), Burst, Gap, ct);
        foreach (var client in lab.Clients)
        {
            Assert.True(await receiver.WaitForCountAsync(SpiOf(client), Burst, Arrival, ct), $"all of client{client.Number}'s ESP should arrive, got {receiver.CountFor(SpiOf(client))}");
            Assert.Equal([NetnsLab.ExternalAlias(client.Number)], receiver.SourcesFor(SpiOf(client)));
        }
        Assert.Equal(lab.Clients.Count * Burst, receiver.Packets.Count);

        var ike = await lab.StartIkeReceiverAsync(ct);
        foreach (var client in lab.Clients)
            await (await lab.OpenIkeProbeAsync(client, ct)).SendAsync(SpiOf(client), ct: ct);
        foreach (var client in lab.Clients)
        {
            Assert.True(await ike.WaitForCountAsync(SpiOf(client), 1, Arrival, ct));
            Assert.Equal([new IPEndPoint(NetnsLab.ExternalAlias(client.Number), 500)], ike.EndpointsFor(SpiOf(client)));
        }
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Reassigning_a_client_while_its_esp_flow_is_live_moves_its_next_packets_to_the_new_address(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        var client2 = await console.AssignAsync(2, 2);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("two VPN users")).Result.Kind);

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow = await lab.StartEspFlowAsync(lab.Clients[1], SpiOf(lab.Clients[1]), ct: ct);
        Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == flow.Spi) >= 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(flow.Spi));

        await console.Assignments.ReassignAsync(client2.Id, console.AddressIds[3], TestConsole.Admin, ct);
        var preview = await console.Engine.PreviewApplyAsync(ct);
        // The preview names the one live tunnel the change interrupts, from the kernel's conntrack table.
        var tunnel = Assert.Single(await console.Get<LiveTunnels>().ToRekeyAsync(preview, ct));
        Assert.Equal($"client2 → {TestConsole.EndpointName}", tunnel.Who);
        Assert.Equal(1, tunnel.EspFlows);
        var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "move client2 to .4", preview.Fingerprint), ct);
        var appliedAtSequence = flow.LastSequence;

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Contains(preview.FlowsToReset, f => f.Source.BaseAddress.Equals(lab.Clients[1].Address));
        Assert.True(await receiver.WaitForAsync(p => p.Any(x => x.Spi == flow.Spi && x.Sequence > appliedAtSequence), Arrival, ct));
        var after = receiver.PacketsFor(flow.Spi).Where(p => p.Sequence > appliedAtSequence).ToArray();
        Assert.All(after, p => Assert.Equal(NetnsLab.ExternalAlias(3), p.Source));
        var revision = await new HistoryReader(console).LastAsync();
        Assert.True(revision.ConntrackEntriesDeleted >= 1, "the live flow's conntrack entry must have been deleted");
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Rolling_back_a_bad_change_restores_the_earlier_mapping_on_the_kernel_and_in_the_inventory(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await lab.IptablesAsync("-A", "FORWARD", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        var foreignBefore = await RouterSnapshot.ForeignRulesetAsync(lab, backend);
        await console.AssignAsync(1, 1);
        var client2 = await console.AssignAsync(2, 2);
        var good = await console.PreviewAndApplyAsync("two VPN users");
        var goodChain = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        var goodAssignments = await console.AssignmentsAsync();

        await console.Assignments.ReassignAsync(client2.Id, console.AddressIds[4], TestConsole.Admin, ct);
        var bad = await console.PreviewAndApplyAsync("wrong address for client2");
        Assert.Equal(ApplyResultKind.Applied, bad.Result.Kind);
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesetAsync(lab, backend));

        var receiver = await lab.StartEspReceiverAsync(ct);
        var sender = await lab.OpenEspSenderAsync(lab.Clients[1], ct);
        await sender.SendAsync(NetnsLab.VpnServer, SpiOf(lab.Clients[1]), Burst, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(SpiOf(lab.Clients[1]), Burst, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(4)], receiver.SourcesFor(SpiOf(lab.Clients[1])));

        var (preview, result) = await console.RollbackAsync(good.Result.RevisionId!.Value, "client2 must leave from .3");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.NotEmpty(preview.FlowsToReset);
        Assert.Equal(goodChain, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Equal(goodAssignments, await console.AssignmentsAsync());
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesetAsync(lab, backend));
        receiver.Clear();
        await sender.SendAsync(NetnsLab.VpnServer, SpiOf(lab.Clients[1]), Burst, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(SpiOf(lab.Clients[1]), Burst, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(SpiOf(lab.Clients[1])));

        // The rollback is a revision of its own, so the bad change could be brought back the same way.
        var rollback = await new HistoryReader(console).LastAsync();
        Assert.Equal(RevisionKind.Rollback, rollback.Kind);
        Assert.Equal(good.Result.RevisionId, rollback.RollbackTargetId);
        var undo = await console.RollbackAsync(bad.Result.RevisionId!.Value, "undo the rollback");
        Assert.Equal(ApplyResultKind.Applied, undo.Result.Kind);
        Assert.Contains(backend == "Iptables" ? "--to-source 203.0.113.5" : ": 203.0.113.5", await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesetAsync(lab, backend));
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Addresses_are_bound_with_the_owned_label_and_only_those_are_ever_removed(string backend)
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 3);
        // An address the administrator configured by hand, which RouterAdmin lists but must never remove.
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "add", "203.0.113.9/24", "dev", "wan");
        await console.PreviewAndApplyAsync("bind the aliases");
        Assert.Equal(["203.0.113.2/24", "203.0.113.3/24", "203.0.113.4/24"], await RouterSnapshot.OwnedAddressesAsync(lab));

        var snapshot = await console.Store.CaptureAsync(TestContext.Current.CancellationToken);
        var third = snapshot.ExternalAddresses.Single(a => a.Address.Equals(NetnsLab.ExternalAlias(3)));
        await console.Addresses.DeleteAsync(third.Id, 0, TestConsole.Admin, TestContext.Current.CancellationToken);
        var (preview, result) = await console.PreviewAndApplyAsync("return .4 to the ISP");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal([new BoundAddress(NetnsLab.ExternalAlias(3), 24, "wan")], preview.AddressesToRemove);
        Assert.Equal(["203.0.113.2/24", "203.0.113.3/24"], await RouterSnapshot.OwnedAddressesAsync(lab));
        Assert.Contains("203.0.113.9/24", await lab.ExecAsync(lab.RouterNamespace, "ip", "-4", "-o", "addr", "show", "dev", "wan"));
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_second_apply_with_nothing_changed_runs_nothing(string backend)
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("first");

        var (preview, result) = await console.PreviewAndApplyAsync("again");

        Assert.True(preview.InSync);
        Assert.Equal("", preview.Transaction);
        Assert.Equal(ApplyResultKind.NothingToDo, result.Kind);
    }
}

/// <summary>Reads revisions straight from the console's database.</summary>
internal sealed class HistoryReader(TestConsole console)
{
    public async Task<Revision> LastAsync()
    {
        await using var db = await console.OpenDatabaseAsync();
        return db.Revisions.OrderByDescending(r => r.Id).First();
    }

    public async Task<IReadOnlyList<Revision>> AllAsync()
    {
        await using var db = await console.OpenDatabaseAsync();
        return db.Revisions.OrderBy(r => r.Id).ToList();
    }
}
