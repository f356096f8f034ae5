using System.Text.Json;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Notifications;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// <c>RouterAdmin:Drift:Policy=Repair</c> on the real kernel: the web console's own background check (system clock)
/// finds a flushed router and puts the revision in effect back, and stops when the drift keeps coming back.
/// </summary>
public sealed class DriftRepairSpecs
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(3);

    private static ConsoleSetup Repairing(NetnsLab lab, string backend, int maxInARow = 3) =>
        (ConsoleSetup.OnLab(lab, backend) with { Web = true })
            .With("RouterAdmin:Drift:Policy", "Repair")
            .With("RouterAdmin:Drift:CheckInterval", Interval.ToString())
            .With("RouterAdmin:Drift:MaxRepairsInARow", maxInARow.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_flushed_router_is_repaired_within_two_check_intervals_and_esp_passes_again(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(Repairing(lab, backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.AssignAsync(2, 2);
        var applied = (await console.PreviewAndApplyAsync("two users")).Result.RevisionId;
        var owned = await RouterSnapshot.OwnedRulesAsync(lab, backend);

        await FlushAsync(lab, backend);
        var flushed = TimeProvider.System.GetTimestamp();
        Assert.NotEqual(owned, await RouterSnapshot.OwnedRulesAsync(lab, backend));

        await Eventually.UntilAsync(async () => await RouterSnapshot.OwnedRulesAsync(lab, backend) == owned, "the mappings back", 2 * Interval, ct);
        var tookBack = TimeProvider.System.GetElapsedTime(flushed);

        TestContext.Current.TestOutputHelper?.WriteLine($"{backend}: mappings back {tookBack.TotalMilliseconds:0} ms after the flush (interval {Interval.TotalSeconds} s)");
        await Eventually.UntilAsync(() => console.Get<DriftRepair>().State.Repairs == 1, "the repair recorded", ct: ct);
        var repair = (await new HistoryReader(console).AllAsync())[^1];
        Assert.Equal((RevisionKind.Reapply, RevisionStatus.Applied, "system", applied), (repair.Kind, repair.Status, repair.Actor, repair.RollbackTargetId));
        await AssertClientLeavesFromAsync(lab, lab.Clients[0], NetnsLab.ExternalAlias(1), ct);
        await AssertClientLeavesFromAsync(lab, lab.Clients[1], NetnsLab.ExternalAlias(2), ct);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_drift_that_keeps_coming_back_stops_being_repaired_and_is_alerted(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        using var receiver = new WebhookReceiver();
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(Repairing(lab, backend, maxInARow: 2));
        await console.Get<NotificationSettingsService>().UpdateAsync(new NotificationDraft
        {
            WebhookEnabled = true, WebhookUrl = receiver.Address.ToString(), NewWebhookSecret = "a-shared-secret-of-32-characters",
        }, TestConsole.Admin, ct);
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("one user");
        var repair = console.Get<DriftRepair>();

        // A misbehaving reload job: the router is flushed again each time a repair has been recorded (not mid-repair,
        // which would make the repair itself fail: a different stop).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var saboteur = Task.Run(async () =>
        {
            for (var seen = -1; !stop.IsCancellationRequested && !repair.State.Stopped; await Task.Delay(TimeSpan.FromMilliseconds(100), stop.Token))
            {
                if (repair.State.Repairs == seen) continue;
                seen = repair.State.Repairs;
                await FlushAsync(lab, backend);
            }
        }, stop.Token);

        await Eventually.UntilAsync(() => repair.State.Stopped, "repairing to stop", 6 * Interval, ct);
        await stop.CancelAsync();
        try { await saboteur; } catch (OperationCanceledException) { }

        Assert.Equal(2, repair.State.Repairs);
        Assert.Contains("3 times in a row", repair.State.StoppedBecause);
        Assert.True((await console.Get<FirewallStatusMonitor>().RefreshAsync(ct)).Drifted, "left drifted for a person");
        Assert.Equal(2, (await new HistoryReader(console).AllAsync()).Count(r => r.Kind == RevisionKind.Reapply));
        await Eventually.UntilAsync(() => Kinds(receiver).Contains("drift-repair-stopped"), "the alert on the webhook", ct: ct);
        Assert.Equal(2, Kinds(receiver).Count(k => k == "drift-repaired"));
    }

    private static List<string> Kinds(WebhookReceiver receiver) =>
        receiver.Calls.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("kind").GetString()!).ToList();

    /// <summary>iptables: the owned chain flushed (<c>iptables -t nat -F</c>); nftables: <c>nft flush ruleset</c>, the lab's masquerade put back.</summary>
    private static async Task FlushAsync(NetnsLab lab, string backend)
    {
        if (backend == "Iptables")
        {
            await lab.IptablesAsync("-t", "nat", "-F", "ROUTERADMIN-SNAT");
            return;
        }
        await lab.ExecAsync(lab.RouterNamespace, "nft", "flush", "ruleset");
        await lab.IptablesAsync("-t", "nat", "-A", "POSTROUTING", "-s", NetnsLab.LanSubnet.ToString(), "-o", NetnsLab.WanInterface, "-j", "MASQUERADE");
    }

    private static async Task AssertClientLeavesFromAsync(NetnsLab lab, LabClient client, System.Net.IPAddress source, CancellationToken ct)
    {
        var spi = 0xF2000000u + (uint)client.Number;
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(client, ct)).SendAsync(NetnsLab.VpnServer, spi, 3, TimeSpan.FromMilliseconds(5), ct);
        Assert.True(await receiver.WaitForCountAsync(spi, 3, Arrival, ct), $"client{client.Number}'s ESP should arrive");
        Assert.Equal([source], receiver.SourcesFor(spi));
    }
}
