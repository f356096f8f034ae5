using System.Net;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// The watch for dropped VPN users on the real kernel, beside either rule backend: client1 is assigned; two LAN hosts
/// the inventory does not know start ESP to the same server through the masquerade address. The first is named at
/// risk, the second dropped; once both have their own addresses, all three are fine and the second's ESP arrives.
/// </summary>
public sealed class VpnWatchSpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(15);

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task The_watch_names_the_host_at_risk_and_the_one_being_dropped_and_after_the_fix_all_are_fine(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(clients: 1);
        await console.AssignAsync(1, 1);
        await TurnWatchAsync(console, on: true);
        var (turnedOn, applied) = await console.PreviewAndApplyAsync("client1 has its own address; watch for dropped VPN users");
        Assert.True(applied.Succeeded, applied.Message);
        Assert.StartsWith("Watch for dropped VPN users: counts unconfirmed ESP from 192.168.1.0/24", turnedOn.Words.Watch);
        Assert.Contains(turnedOn.Diff, l => l.Kind == RouterAdmin.Firewall.Diff.DiffKind.Added && l.Text.Contains("ct state new update @esp_unconfirmed", StringComparison.Ordinal));
        Assert.Contains(turnedOn.Commands, c => c.Contains("VPN watch", StringComparison.Ordinal));
        Assert.Contains("ip saddr 192.168.1.0/24 ip protocol esp ct state new", await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "table", "ip", NftVpnWatch.Table));
        var watch = console.Get<NftVpnWatch>();

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var assigned = await lab.StartEspFlowAsync(lab.Clients[0], 0x61, ct: ct);
        await using var first = await lab.StartEspFlowAsync(lab.Clients[1], 0x62, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0x61, 3, Arrival, ct) && await receiver.WaitForCountAsync(0x62, 3, Arrival, ct));
        await using var second = await lab.StartEspFlowAsync(lab.Clients[2], 0x63, ct: ct);

        var started = DateTimeOffset.UtcNow;
        IReadOnlyList<ClassifiedFlow> flows = [];
        var before = new Dictionary<(IPAddress, IPAddress), long>();
        await Eventually.UntilAsync(async () =>
        {
            flows = await ClassifyAsync(console, watch, before, ct);
            return flows.Any(f => f.State == VpnFlowState.Dropped);
        }, "the watch sees the dropped host", TimeSpan.FromSeconds(10), ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"dropped host named {(DateTimeOffset.UtcNow - started).TotalMilliseconds:0} ms after its flow started");

        Assert.Equal(
        [
            (lab.Clients[2].Address, VpnFlowState.Dropped),
            (lab.Clients[1].Address, VpnFlowState.AtRisk),
            (lab.Clients[0].Address, VpnFlowState.Fine),
        ], flows.Select(f => (f.LanHost, f.State)));
        Assert.Equal(NetnsLab.RouterWanAddress.ToString(), flows[1].LeavesFrom);
        Assert.Equal("client1 (192.168.1.2)", flows[2].Who);
        Assert.All(flows, f => Assert.Equal(TestConsole.EndpointName, f.EndpointName));
        Assert.Equal(0, receiver.CountFor(0x63));

        // The fix the dashboard offers: each becomes a client with a free address, and the apply resets their flows.
        foreach (var host in lab.Clients.Skip(1))
        {
            var id = await console.Clients.CreateAsync(new() { Name = $"host{host.Number}", LanAddress = host.Address.ToString() }, TestConsole.Admin, ct);
            await console.Assignments.AssignFreeAsync(id, console.EndpointId, TestConsole.Admin, ct);
        }
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("give the VPN users their own addresses")).Result.Kind);
        Assert.True(await receiver.WaitForCountAsync(0x63, 3, Arrival, ct), "the dropped host's ESP arrives after the fix");
        Assert.Equal([NetnsLab.ExternalAlias(3)], receiver.SourcesFor(0x63).Distinct());

        await Eventually.UntilAsync(async () =>
        {
            flows = await ClassifyAsync(console, watch, before, ct);
            return flows.Count == 3 && flows.All(f => f.State == VpnFlowState.Fine);
        }, "all three fine", TimeSpan.FromSeconds(10), ct);

        // Someone deletes the watch table: that is drift like any other owned rule going missing.
        await lab.ExecAsync(lab.RouterNamespace, "nft", "delete", "table", "ip", NftVpnWatch.Table);
        var status = await console.Get<RouterAdmin.Firewall.Status.FirewallStatusMonitor>().RefreshAsync(ct);
        Assert.True(status.Drifted, "a deleted watch table is drift");
        Assert.Contains(status.Drift!.Diff, l => l.Kind == RouterAdmin.Firewall.Diff.DiffKind.Added && l.Text.Contains(NftVpnWatch.Set, StringComparison.Ordinal));
        Assert.True((await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "put the watch back", status.Drift.Fingerprint), ct)).Succeeded);
        Assert.NotEmpty(await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "table", "ip", NftVpnWatch.Table));

        // Turned off, it is removed with the next apply, and nothing else of the router changes.
        var mappings = await RouterSnapshot.MappingsAsync(lab, backend);
        await TurnWatchAsync(console, on: false);
        var (turnedOff, removed) = await console.PreviewAndApplyAsync("no more watching");
        Assert.True(removed.Succeeded, removed.Message);
        Assert.Equal("Watch for dropped VPN users: removed", turnedOff.Words.Watch);
        Assert.DoesNotContain(NftVpnWatch.Table, await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "tables"));
        Assert.Empty(await watch.ReadAsync(ct));
        Assert.Equal(mappings, await RouterSnapshot.MappingsAsync(lab, backend));
    }

    private static async Task TurnWatchAsync(TestConsole console, bool on)
    {
        var draft = RouterAdmin.Inventory.SettingsDraft.From(await console.Settings.GetAsync());
        draft.WatchVpnUsers = on;
        await console.Settings.UpdateAsync(draft, TestConsole.Admin);
    }

    [LabFact]
    public async Task On_an_iptables_router_without_nft_the_rules_are_applied_as_before_and_the_watch_reads_as_absent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Iptables")
            .With("RouterAdmin:Firewall:Paths:Nft", "/nonexistent/nft").With("RouterAdmin:Firewall:NftLibrary", "/nonexistent/libnftables.so.1"));
        await console.SeedStoryAsync(clients: 1);
        await console.AssignAsync(1, 1);

        var (preview, result) = await console.PreviewAndApplyAsync("no nftables package on this router");

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(preview.Words.Watch);
        Assert.Single(await RouterSnapshot.MappingsAsync(lab, "Iptables"));
        Assert.Empty(await console.Get<NftVpnWatch>().ReadAsync(ct));
        var status = await console.Get<RouterAdmin.Firewall.Status.FirewallStatusMonitor>().RefreshAsync(ct);
        Assert.True(status.InSync && status.Error is null, status.Error);
    }

    /// <summary>One check as the console makes it: the watch's counts against the previous check's, and conntrack.</summary>
    private static async Task<IReadOnlyList<ClassifiedFlow>> ClassifyAsync(TestConsole console, NftVpnWatch watch,
        Dictionary<(IPAddress, IPAddress), long> before, CancellationToken ct)
    {
        var watched = await watch.ReadAsync(ct);
        var flows = VpnFlowClassifier.Classify(watched, before, await console.Backend.ListFlowsAsync(ct), await console.Store.CaptureAsync(ct));
        before.Clear();
        foreach (var flow in watched) before[(flow.LanHost, flow.Server)] = flow.UnconfirmedPackets;
        return flows;
    }
}
