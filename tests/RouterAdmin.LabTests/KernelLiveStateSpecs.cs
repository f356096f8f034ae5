using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Import;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>Confirmed applies, drift, import of hand-written rules and the boot-time restore, on the real kernel.</summary>
public sealed class KernelLiveStateSpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task An_apply_not_confirmed_by_its_deadline_is_rolled_back_automatically_and_recorded(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Clock = time });
        var confirmations = console.Services.GetRequiredService<ConfirmationService>();
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("confirmed earlier state");
        var previousChain = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        await console.AssignAsync(2, 2);

        var (_, result) = await console.PreviewAndApplyAsync("try client2", confirmWithin: TimeSpan.FromSeconds(120));
        await confirmations.RefreshAsync(ct);

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal(result.RevisionId, confirmations.Pending?.RevisionId);
        Assert.Contains((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, backend));
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(RevisionStatus.AwaitingConfirmation, (await new HistoryReader(console).AllAsync()).Single(r => r.Id == result.RevisionId).Status);

        time.Advance(TimeSpan.FromSeconds(2));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(previousChain, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Null(confirmations.Pending);
        var revisions = await new HistoryReader(console).AllAsync();
        Assert.Equal(RevisionStatus.Reverted, revisions.Single(r => r.Id == result.RevisionId).Status);
        var undo = revisions[^1];
        Assert.Equal(RevisionKind.AutoRollback, undo.Kind);
        Assert.Equal(RevisionStatus.Applied, undo.Status);
        Assert.Equal(result.RevisionId, undo.RollbackTargetId);
        // The inventory went back too, so the next apply does not bring the unconfirmed change back.
        Assert.True((await console.Engine.PreviewApplyAsync(ct)).InSync);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_confirmed_apply_stays_after_its_deadline(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Clock = time });
        var confirmations = console.Services.GetRequiredService<ConfirmationService>();
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        var (_, result) = await console.PreviewAndApplyAsync("client1", confirmWithin: TimeSpan.FromSeconds(60));
        await confirmations.RefreshAsync(ct);
        var chain = await RouterSnapshot.OwnedRulesAsync(lab, backend);

        await confirmations.ConfirmAsync(result.RevisionId!.Value, TestConsole.Admin, ct);
        time.Advance(TimeSpan.FromMinutes(5));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(chain, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        var revision = (await new HistoryReader(console).AllAsync()).Single(r => r.Id == result.RevisionId);
        Assert.Equal(RevisionStatus.Applied, revision.Status);
        Assert.Equal(TestConsole.Admin.Name, revision.ConfirmedBy);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_restart_during_the_confirmation_window_rolls_the_change_back_at_start_up(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        var directory = Directory.CreateTempSubdirectory("routeradmin-lab-").FullName;
        string previousChain;
        int unconfirmed;
        await using (var before = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Directory = directory }))
        {
            await before.SeedStoryAsync();
            await before.AssignAsync(1, 1);
            await before.PreviewAndApplyAsync("known good");
            previousChain = await RouterSnapshot.OwnedRulesAsync(lab, backend);
            await before.AssignAsync(2, 2);
            unconfirmed = (await before.PreviewAndApplyAsync("risky", TimeSpan.FromMinutes(10))).Result.RevisionId!.Value;
            Assert.Contains((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, backend));
        }
        try
        {
            await using var after = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Directory = directory });
            var rolledBack = await after.Services.GetRequiredService<ConfirmationService>().RollBackUnconfirmedAtStartupAsync(ct);

            Assert.Equal(1, rolledBack);
            Assert.Equal(previousChain, await RouterSnapshot.OwnedRulesAsync(lab, backend));
            var revisions = await new HistoryReader(after).AllAsync();
            Assert.Equal(RevisionStatus.Reverted, revisions.Single(r => r.Id == unconfirmed).Status);
            Assert.Contains("service restarted", revisions[^1].Reason);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Owned_mappings_emptied_by_hand_are_drift_that_reapply_repairs_or_adopt_takes_over(string backend)
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

        await RouterSnapshot.FlushOwnedMappingsAsync(lab, backend);
        var drifted = await monitor.RefreshAsync(ct);

        Assert.True(drifted.Drifted);
        Assert.Equal(applied, drifted.BaselineRevisionId);
        Assert.Equal(2, drifted.Drift!.Words.Mappings.Count);
        Assert.True(drifted.Drift.RulesAdded >= 2, "the reapply puts both mappings back");
        var reapply = await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "someone flushed the chain", drifted.Drift.Fingerprint), ct);
        Assert.Equal(ApplyResultKind.Applied, reapply.Kind);
        Assert.Equal(owned, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.False((await monitor.RefreshAsync(ct)).Drifted);

        await RouterSnapshot.FlushOwnedMappingsAsync(lab, backend);
        Assert.True((await monitor.RefreshAsync(ct)).Drifted);
        var adopted = await console.Services.GetRequiredService<ImportService>().AdoptAsync("the flush was intended", TestConsole.Admin, ct);

        var status = await monitor.RefreshAsync(ct);
        Assert.False(status.Drifted);
        Assert.True(status.InSync, "with the assignments gone from the inventory, nothing is pending");
        Assert.Empty(await console.AssignmentsAsync());
        Assert.Contains(adopted.Notes, n => n.Contains("is removed", StringComparison.Ordinal));
    }

    [LabFact]
    public async Task A_rule_inserted_above_the_jump_is_drift_that_reapply_moves_below_and_adopt_takes_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab));
        var monitor = console.Services.GetRequiredService<FirewallStatusMonitor>();
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("client1");
        string[] sneaky = ["-t", "nat", "-I", "POSTROUTING", "1", "-s", "192.168.1.4/32", "-d", "198.51.100.10/32", "-j", "SNAT", "--to-source", "203.0.113.6"];
        await lab.IptablesAsync(sneaky);

        var drifted = await monitor.RefreshAsync(ct);
        Assert.True(drifted.Drifted);
        var reapply = await console.Engine.ReapplyAsync(new ApplyRequest(TestConsole.Admin, "keep our chain first", drifted.Drift!.Fingerprint), ct);
        Assert.Equal(ApplyResultKind.Applied, reapply.Kind);
        var postrouting = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("-j ROUTERADMIN-SNAT", postrouting[1]);
        Assert.Equal("-A POSTROUTING -s 192.168.1.4/32 -d 198.51.100.10/32 -j SNAT --to-source 203.0.113.6", postrouting[2]);
        Assert.False((await monitor.RefreshAsync(ct)).Drifted);

        // Now the other answer: the hand-written rule was wanted, so the inventory takes it over.
        await lab.IptablesAsync("-t", "nat", "-D", "POSTROUTING", "2");
        await lab.IptablesAsync(sneaky);
        Assert.True((await monitor.RefreshAsync(ct)).Drifted);
        await console.Services.GetRequiredService<ImportService>().AdoptAsync("client3 needs .6", TestConsole.Admin, ct);
        var afterAdopt = await monitor.RefreshAsync(ct);
        Assert.False(afterAdopt.Drifted);
        Assert.True(afterAdopt.Pending, "the next apply must fold the adopted rule into the owned chain");
        Assert.Contains((NetnsLab.ClientAddress(3), NetnsLab.ExternalAlias(5)), await console.AssignmentsAsync());

        var (preview, result) = await console.PreviewAndApplyAsync("fold the adopted rule in");
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.DoesNotContain(preview.FlowsToReset, f => f.Source.BaseAddress.Equals(NetnsLab.ClientAddress(3)));
        postrouting = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(postrouting, l => l.Contains("--to-source", StringComparison.Ordinal));
        Assert.EndsWith("-j ROUTERADMIN-SNAT", postrouting[1]);
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(lab.Clients[2], ct)).SendAsync(NetnsLab.VpnServer, 0xE3, 5, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(0xE3, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(5)], receiver.SourcesFor(0xE3));
    }

    [LabFact]
    public async Task The_seeds_hand_written_rules_are_imported_and_the_next_apply_replaces_them_without_breaking_a_packet()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        // The story's router: one SNAT rule per VPN user, added by hand before the MASQUERADE.
        foreach (var client in lab.Clients)
            await lab.IptablesAsync("-t", "nat", "-I", "POSTROUTING", client.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", client.Address.ToString(),
                "-d", NetnsLab.VpnServer.ToString(), "-j", "SNAT", "--to-source", NetnsLab.ExternalAlias(client.Number).ToString());
        var masquerade = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n').Single(l => l.Contains("MASQUERADE", StringComparison.Ordinal));
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab));
        var importer = console.Services.GetRequiredService<ImportService>();

        var proposal = await importer.ScanAsync(ct);
        Assert.Equal(3, proposal.Candidates.Count(c => c.Importable));
        Assert.Equal(NetnsLab.LanSubnet, proposal.SuggestedLanSubnet);
        Assert.Equal(NetnsLab.WanInterface, proposal.SuggestedWanInterface);
        await importer.ImportAsync(proposal.Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);

        Assert.Equal(lab.Clients.Select(c => (c.Address, NetnsLab.ExternalAlias(c.Number))), await console.AssignmentsAsync());
        Assert.Equal(3, (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n').Count(l => l.Contains("SNAT --to-source", StringComparison.Ordinal)));

        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow = await lab.StartEspFlowAsync(lab.Clients[0], 0xF1, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xF1, 3, Arrival, ct));
        var (preview, result) = await console.PreviewAndApplyAsync("take over the hand-written rules");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal(3, ((IptablesChange)preview.Change).RetiredPresent.Count);
        Assert.Empty(preview.FlowsToReset);
        var postrouting = (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["-P POSTROUTING ACCEPT", "-A POSTROUTING -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT", masquerade], postrouting);
        foreach (var client in lab.Clients.Skip(1))
            await (await lab.OpenEspSenderAsync(client, ct)).SendAsync(NetnsLab.VpnServer, 0xF0u + (uint)client.Number, 5, Gap, ct);
        foreach (var client in lab.Clients.Skip(1))
        {
            Assert.True(await receiver.WaitForCountAsync(0xF0u + (uint)client.Number, 5, Arrival, ct));
            Assert.Equal([NetnsLab.ExternalAlias(client.Number)], receiver.SourcesFor(0xF0u + (uint)client.Number));
        }
        var sent = flow.LastSequence;
        Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == 0xF1) >= sent, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(1)], receiver.SourcesFor(0xF1));
    }

    [LabFact]
    public async Task Undoing_an_apply_that_replaced_hand_written_rules_puts_those_rules_back_where_they_were()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { BindAliases = true }, ct);
        foreach (var client in lab.Clients.Take(2))
            await lab.IptablesAsync("-t", "nat", "-I", "POSTROUTING", client.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", client.Address.ToString(),
                "-d", NetnsLab.VpnServer.ToString(), "-j", "SNAT", "--to-source", NetnsLab.ExternalAlias(client.Number).ToString());
        var handWritten = await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING");
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab) with { Clock = time });
        var importer = console.Services.GetRequiredService<ImportService>();
        var confirmations = console.Services.GetRequiredService<ConfirmationService>();
        await importer.ImportAsync((await importer.ScanAsync(ct)).Candidates.Select(c => c.RuleLine).ToArray(), useSuggestedSettings: true, TestConsole.Admin, ct);

        var (preview, result) = await console.PreviewAndApplyAsync("take over, with a safety net", TimeSpan.FromSeconds(60));
        await confirmations.RefreshAsync(ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal(2, ((IptablesChange)preview.Change).RetiredPresent.Count);
        Assert.DoesNotContain("--to-source", (await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING")).Replace("ROUTERADMIN", "", StringComparison.Ordinal));

        time.Advance(TimeSpan.FromSeconds(61));
        await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(10), ct);

        // The unconfirmed change is gone and the rules it had replaced are back, in their places, doing their job.
        Assert.Equal(handWritten, await lab.IptablesAsync("-t", "nat", "-S", "POSTROUTING"));
        Assert.Equal(RevisionStatus.Reverted, (await new HistoryReader(console).AllAsync()).Single(r => r.Id == result.RevisionId).Status);
        Assert.False((await console.Services.GetRequiredService<FirewallStatusMonitor>().RefreshAsync(ct)).Drifted);
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(lab.Clients[1], ct)).SendAsync(NetnsLab.VpnServer, 0xC2, 5, Gap, ct);
        Assert.True(await receiver.WaitForCountAsync(0xC2, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0xC2));
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task The_restore_verb_brings_back_the_last_confirmed_revision_on_a_flushed_router_and_never_a_pending_one(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 3);
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("confirmed");
        var confirmedRules = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        var confirmedAddresses = await RouterSnapshot.OwnedAddressesAsync(lab);
        await console.AssignAsync(2, 2);
        var pending = (await console.PreviewAndApplyAsync("not yet confirmed", TimeSpan.FromMinutes(10))).Result.RevisionId;

        // A reboot: the kernel forgets everything RouterAdmin put there.
        await RouterSnapshot.ForgetOwnedStateAsync(lab, backend);
        Assert.Equal("", await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Empty(await RouterSnapshot.OwnedAddressesAsync(lab));

        var (code, output) = await ConsoleProcess.RunAsync(console, ["restore"], ct);

        Assert.True(code == 0, output);
        Assert.Equal(confirmedRules, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Equal(confirmedAddresses, await RouterSnapshot.OwnedAddressesAsync(lab));
        var revisions = await new HistoryReader(console).AllAsync();
        Assert.Equal(RevisionStatus.Reverted, revisions.Single(r => r.Id == pending).Status);
        Assert.Equal(RevisionKind.BootRestore, revisions[^1].Kind);
        Assert.Equal(RevisionStatus.Applied, revisions[^1].Status);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task The_dashboards_activity_shows_each_assignments_rule_hits_and_live_esp_flow_from_its_address(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.AssignAsync(2, 2);
        await console.PreviewAndApplyAsync("two users");
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(lab.Clients[0], ct)).SendAsync(NetnsLab.VpnServer, 0xD1, 3, Gap, ct);
        await (await lab.OpenIkeProbeAsync(lab.Clients[0], ct)).SendAsync(0xD1, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xD1, 3, Arrival, ct));

        var live = await console.Services.GetRequiredService<RouterAdmin.Firewall.Backends.IFirewallBackend>().ReadAsync(ct, withCounters: true);
        var activity = (await console.Services.GetRequiredService<ActivityReader>().ReadPageAsync(live, new RouterAdmin.Inventory.PageRequest(0, 50), ct)).Items;

        var alice = Assert.Single(activity, a => a.ClientAddress == "192.168.1.2");
        Assert.True(alice.TunnelUp);
        Assert.Equal(["203.0.113.2"], alice.LeavesFrom);
        Assert.Equal(1, alice.EspFlows);
        Assert.Equal(1, alice.IkeFlows);
        Assert.True(alice.Packets >= 2, "the SNAT rule saw the first packet of the ESP and of the IKE flow");
        var bob = Assert.Single(activity, a => a.ClientAddress == "192.168.1.3");
        Assert.False(bob.TunnelUp);
        Assert.Equal(0, bob.EspFlows);
        Assert.True(bob.RuleInKernel);
    }
}
