using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Import;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>Hand-written per-client SNAT rules on a router run by the nftables backend: imported, replaced without losing a packet, and put back by an undo.</summary>
public sealed class NftablesImportSpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    /// <summary>The administrator's own nftables NAT: one <c>snat</c> rule per VPN user in a table of their own, at srcnat.</summary>
    private static async Task<string> WriteHandNatAsync(NetnsLab lab, int clients)
    {
        await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "table", "inet", "handnat");
        await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "chain", "inet", "handnat", "post", "{", "type", "nat", "hook", "postrouting", "priority", "srcnat", ";", "}");
        foreach (var client in lab.Clients.Take(clients))
            await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "rule", "inet", "handnat", "post", "ip", "saddr", client.Address.ToString(),
                "ip", "daddr", NetnsLab.VpnServer.ToString(), "counter", "snat", "ip", "to", NetnsLab.ExternalAlias(client.Number).ToString());
        await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "rule", "inet", "handnat", "post", "oifname", "wan", "masquerade");
        return await HandNatAsync(lab);
    }

    private static async Task<string> HandNatAsync(NetnsLab lab) =>
        System.Text.RegularExpressions.Regex.Replace(
            await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "table", "inet", "handnat"), @"counter packets \d+ bytes \d+", "counter");

    [LabFact]
    public async Task Hand_written_nft_snat_rules_are_imported_and_the_next_apply_replaces_them_in_one_transaction_without_breaking_a_packet()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        await WriteHandNatAsync(lab, clients: 3);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables"));
        var importer = console.Get<ImportService>();

        var proposal = await importer.ScanAsync(ct);
        Assert.Equal(3, proposal.Candidates.Count(c => c.Importable));
        Assert.All(proposal.Candidates, c => Assert.StartsWith("table inet handnat chain post: ip saddr 192.168.1.", c.RuleLine));
        Assert.Equal(NetnsLab.WanInterface, proposal.SuggestedWanInterface);
        await importer.ImportAsync(proposal.Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);
        Assert.Equal(lab.Clients.Select(c => (c.Address, NetnsLab.ExternalAlias(c.Number))), await console.AssignmentsAsync());

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow = await lab.StartEspFlowAsync(lab.Clients[0], 0xA1, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xA1, 3, Arrival, ct));
        var (preview, result) = await console.PreviewAndApplyAsync("take over the hand-written nft rules");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        var change = Assert.IsType<NftChange>(preview.Change);
        Assert.Equal(3, change.RetiredPresent.Count);
        Assert.Contains("delete rule inet handnat post handle", change.Transaction);
        Assert.Equal(3, preview.Words.TakenOver);
        Assert.Empty(preview.FlowsToReset);
        // Only the masquerade is left in the administrator's table; the map holds the three users.
        Assert.DoesNotContain("snat", await HandNatAsync(lab));
        Assert.Contains("masquerade", await HandNatAsync(lab));
        Assert.Equal(3, (await RouterSnapshot.OwnedRulesAsync(lab, "Nftables")).Split('\n').Count(l => l.Contains(" : 203.0.113.", StringComparison.Ordinal)));
        var sent = flow.LastSequence;
        Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == 0xA1) >= sent, Arrival, ct), "every packet of the live flow arrived");
        Assert.Equal([NetnsLab.ExternalAlias(1)], receiver.SourcesFor(0xA1));
        foreach (var client in lab.Clients.Skip(1))
            await (await lab.OpenEspSenderAsync(client, ct)).SendAsync(NetnsLab.VpnServer, 0xA0u + (uint)client.Number, 5, Gap, ct);
        foreach (var client in lab.Clients.Skip(1))
        {
            Assert.True(await receiver.WaitForCountAsync(0xA0u + (uint)client.Number, 5, Arrival, ct));
            Assert.Equal([NetnsLab.ExternalAlias(client.Number)], receiver.SourcesFor(0xA0u + (uint)client.Number));
        }
        Assert.True((await console.Engine.PreviewApplyAsync(ct)).InSync);
    }

    [LabFact]
    public async Task Undoing_an_apply_that_replaced_hand_written_nft_rules_puts_them_back_where_they_were()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        var handWritten = await WriteHandNatAsync(lab, clients: 2);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables") with { Clock = time });
        var importer = console.Get<ImportService>();
        var confirmations = console.Get<ConfirmationService>();
        await importer.ImportAsync((await importer.ScanAsync(ct)).Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);

        var (_, result) = await console.PreviewAndApplyAsync("take over, with a safety net", TimeSpan.FromSeconds(60));
        await confirmations.RefreshAsync(ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.DoesNotContain("snat", await HandNatAsync(lab));

        time.Advance(TimeSpan.FromSeconds(61));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(30), ct);

        // The unconfirmed change is gone and the rules it had replaced are back, in their places, doing their job.
        Assert.Equal(handWritten, await HandNatAsync(lab));
        Assert.Equal(RevisionStatus.Reverted, (await new HistoryReader(console).AllAsync()).Single(r => r.Id == result.RevisionId).Status);
        Assert.False((await console.Get<FirewallStatusMonitor>().RefreshAsync(ct)).Drifted);
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(lab.Clients[1], ct)).SendAsync(NetnsLab.VpnServer, 0xB2, 5, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(0xB2, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0xB2));
    }

    /// <summary>The story's router: one iptables SNAT rule per VPN user before the MASQUERADE (iptables-nft, in <c>table ip nat</c>).</summary>
    private static async Task<string> WriteStoryRulesAsync(NetnsLab lab, int clients)
    {
        foreach (var client in lab.Clients.Take(clients))
            await lab.IptablesAsync("-t", "nat", "-I", "POSTROUTING", client.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", client.Address.ToString(),
                "-d", NetnsLab.VpnServer.ToString(), "-j", "SNAT", "--to-source", NetnsLab.ExternalAlias(client.Number).ToString());
        return await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING");
    }

    [LabFact]
    public async Task The_storys_iptables_nft_rules_are_imported_on_the_nftables_backend_and_replaced_without_breaking_a_packet()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        await WriteStoryRulesAsync(lab, clients: 3);
        var masquerade = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n').Single(l => l.Contains("MASQUERADE", StringComparison.Ordinal));
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables"));
        var importer = console.Get<ImportService>();

        // nft -j shows these rules' targets as {"xt": {"type": "target", "name": "SNAT"}} without the address: iptables reads them.
        var proposal = await importer.ScanAsync(ct);
        Assert.Equal(3, proposal.Candidates.Count(c => c.Importable));
        Assert.All(proposal.Candidates, c => Assert.StartsWith("-A POSTROUTING -s 192.168.1.", c.RuleLine));
        Assert.Equal(NetnsLab.LanSubnet, proposal.SuggestedLanSubnet);
        Assert.Equal(NetnsLab.WanInterface, proposal.SuggestedWanInterface);
        await importer.ImportAsync(proposal.Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow = await lab.StartEspFlowAsync(lab.Clients[0], 0xC1, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xC1, 3, Arrival, ct));
        var (preview, result) = await console.PreviewAndApplyAsync("take over the story's iptables rules");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Empty(preview.FlowsToReset);
        Assert.Equal(3, preview.Words.TakenOver);
        Assert.Contains(preview.Commands, c => c.EndsWith("# hand-written iptables rules taken over: deleted by iptables after the nftables table is installed", StringComparison.Ordinal));
        var restore = preview.Commands.ToList().FindIndex(c => c.Contains("iptables-restore", StringComparison.Ordinal));
        var nft = preview.Commands.ToList().FindIndex(c => c.Contains("nft", StringComparison.Ordinal) && c.Contains("-f", StringComparison.Ordinal));
        Assert.True(nft >= 0 && restore > nft, "the nftables table is installed and verified before iptables deletes the rules: " + string.Join(" | ", preview.Commands));
        Assert.Equal(["-P POSTROUTING ACCEPT", masquerade], (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var sent = flow.LastSequence;
        Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == 0xC1) >= sent, Arrival, ct), "every packet of the live flow arrived");
        Assert.Equal([NetnsLab.ExternalAlias(1)], receiver.SourcesFor(0xC1));
        await (await lab.OpenEspSenderAsync(lab.Clients[2], ct)).SendAsync(NetnsLab.VpnServer, 0xC3, 5, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(0xC3, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(3)], receiver.SourcesFor(0xC3));
        Assert.True((await console.Engine.PreviewApplyAsync(ct)).InSync);
    }

    [LabFact]
    public async Task Undoing_the_take_over_of_iptables_nft_rules_on_the_nftables_backend_puts_them_back_first()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        var handWritten = await WriteStoryRulesAsync(lab, clients: 2);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables") with { Clock = time });
        var importer = console.Get<ImportService>();
        var confirmations = console.Get<ConfirmationService>();
        await importer.ImportAsync((await importer.ScanAsync(ct)).Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);
        var (_, result) = await console.PreviewAndApplyAsync("take over, with a safety net", TimeSpan.FromSeconds(60));
        await confirmations.RefreshAsync(ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.DoesNotContain("--to-source", await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING"));

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow = await lab.StartEspFlowAsync(lab.Clients[1], 0xD2, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xD2, 3, Arrival, ct));
        time.Advance(TimeSpan.FromSeconds(61));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(handWritten, await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING"));
        Assert.Equal(RevisionStatus.Reverted, (await new HistoryReader(console).AllAsync()).Single(r => r.Id == result.RevisionId).Status);
        Assert.False((await console.Get<FirewallStatusMonitor>().RefreshAsync(ct)).Drifted);
        var sent = flow.LastSequence;
        Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == 0xD2) >= sent, Arrival, ct), "no packet lost while the rules went back");
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0xD2));
    }
}
