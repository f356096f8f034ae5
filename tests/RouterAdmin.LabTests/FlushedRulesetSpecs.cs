using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// What an administrator's firewall reload does to RouterAdmin's rules: Debian's /etc/nftables.conf starts with
/// <c>flush ruleset</c>, which wipes every table, iptables-nft's and the owned nftables table alike.
/// </summary>
public sealed class FlushedRulesetSpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_flushed_ruleset_is_reported_as_drift_and_repaired_by_reapply(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        var monitor = console.Services.GetRequiredService<FirewallStatusMonitor>();
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.AssignAsync(2, 2);
        var applied = (await console.PreviewAndApplyAsync("two users")).Result.RevisionId;
        var owned = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        Assert.False((await monitor.RefreshAsync(ct)).Drifted);

        await FlushRulesetAsync(lab);
        var drifted = await monitor.RefreshAsync(ct);

        Assert.True(drifted.Drifted);
        Assert.Equal(applied, drifted.BaselineRevisionId);
        Assert.True(drifted.Drift!.RulesAdded > 0);
        var reapply = await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "nftables.service was restarted", drifted.Drift.Fingerprint), ct);
        Assert.Equal(ApplyResultKind.Applied, reapply.Kind);
        Assert.Equal(owned, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.False((await monitor.RefreshAsync(ct)).Drifted);
        await AssertClientLeavesFromAsync(lab, lab.Clients[0], NetnsLab.ExternalAlias(1), ct);
    }

    [LabFact]
    public async Task An_element_removed_or_a_rule_added_by_hand_in_the_owned_table_is_drift_that_reapply_repairs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables"));
        var monitor = console.Services.GetRequiredService<FirewallStatusMonitor>();
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.AssignAsync(2, 2);
        await console.PreviewAndApplyAsync("two users");
        var owned = await RouterSnapshot.OwnedRulesAsync(lab, "Nftables");

        await lab.ExecAsync(lab.RouterNamespace, "nft", "delete", "element", "ip", "routeradmin", "mappings", "{ 192.168.1.3 . 198.51.100.10 }");
        var missing = await monitor.RefreshAsync(ct);
        Assert.True(missing.Drifted);
        // One element back, in a transaction that touches nothing else.
        Assert.StartsWith("add element ip routeradmin mappings {", missing.Drift!.Transaction);
        Assert.Equal(ApplyResultKind.Applied, (await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "element deleted by hand", missing.Drift.Fingerprint), ct)).Kind);
        Assert.Equal(owned, await RouterSnapshot.OwnedRulesAsync(lab, "Nftables"));

        await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "rule", "ip", "routeradmin", "postrouting", "ip", "saddr", "192.168.1.4", "accept");
        var added = await monitor.RefreshAsync(ct);
        Assert.True(added.Drifted);
        Assert.Contains(added.Drift!.Diff, l => l.Kind == RouterAdmin.Firewall.Diff.DiffKind.Removed && l.Text.Contains("192.168.1.4", StringComparison.Ordinal));
        Assert.Equal(ApplyResultKind.Applied, (await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "rule added by hand", added.Drift.Fingerprint), ct)).Kind);
        Assert.Equal(owned, await RouterSnapshot.OwnedRulesAsync(lab, "Nftables"));
        Assert.False((await monitor.RefreshAsync(ct)).Drifted);
    }

    [LabFact]
    public async Task A_client_the_map_misses_still_leaves_through_the_administrators_iptables_nft_masquerade()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables"));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("one user")).Result.Kind);

        await AssertClientLeavesFromAsync(lab, lab.Clients[0], NetnsLab.ExternalAlias(1), ct);
        await AssertClientLeavesFromAsync(lab, lab.Clients[2], NetnsLab.RouterWanAddress, ct);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task After_a_flushed_ruleset_the_restore_verb_puts_the_last_confirmed_revision_back_and_esp_flows_again(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 3);
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("confirmed");
        var confirmed = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        var confirmedAddresses = await RouterSnapshot.OwnedAddressesAsync(lab);

        await FlushRulesetAsync(lab);
        Assert.DoesNotContain("203.0.113.2", await RouterSnapshot.OwnedRulesAsync(lab, backend));

        var (code, output) = await ConsoleProcess.RunAsync(console, ["restore"], ct);

        Assert.True(code == 0, output);
        Assert.Equal(confirmed, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Equal(confirmedAddresses, await RouterSnapshot.OwnedAddressesAsync(lab));
        var revisions = await new HistoryReader(console).AllAsync();
        Assert.Equal(RevisionKind.BootRestore, revisions[^1].Kind);
        Assert.Equal(RevisionStatus.Applied, revisions[^1].Status);
        await AssertClientLeavesFromAsync(lab, lab.Clients[0], NetnsLab.ExternalAlias(1), ct);
    }

    /// <summary><c>nft flush ruleset</c>, then the lab's own MASQUERADE back, as an administrator's nftables.conf would.</summary>
    private static async Task FlushRulesetAsync(NetnsLab lab)
    {
        await lab.ExecAsync(lab.RouterNamespace, "nft", "flush", "ruleset");
        await lab.IptablesAsync("-t", "nat", "-A", "POSTROUTING", "-s", NetnsLab.LanSubnet.ToString(), "-o", NetnsLab.WanInterface, "-j", "MASQUERADE");
    }

    private static async Task AssertClientLeavesFromAsync(NetnsLab lab, LabClient client, System.Net.IPAddress source, CancellationToken ct)
    {
        var spi = 0xF1000000u + (uint)client.Number;
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(client, ct)).SendAsync(NetnsLab.VpnServer, spi, 3, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(spi, 3, Arrival, ct), $"client{client.Number}'s ESP should arrive");
        Assert.Equal([source], receiver.SourcesFor(spi));
    }
}
