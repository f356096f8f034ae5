using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Handover;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// Switching the backend (a restart with the other RouterAdmin:Firewall:Backend) on the real kernel: the old backend's
/// state is a pending switch, not drift; one previewed apply installs the new owner, verifies it, then removes the old
/// one; an undo puts the old one back first; and a live ESP flow never leaves through the shared masquerade address.
/// </summary>
public sealed class BackendSwitchSpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(15);

    public static TheoryData<string, string> Switches => new() { { "Iptables", "Nftables" }, { "Nftables", "Iptables" } };

    private static string Word(string backend) => backend == "Nftables" ? "nftables" : "iptables";
    private static string Artefact(string backend) => backend == "Nftables" ? "the nftables table" : "the iptables chains";

    /// <summary>Two users applied with <paramref name="from"/>, their ESP flows running; the console then stops.</summary>
    private static async Task<(string Rules, EspReceiver Receiver, EspFlow[] Flows)> RunWithAsync(NetnsLab lab, string from, string directory, CancellationToken ct)
    {
        await using var before = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, from) with { Directory = directory });
        await before.SeedStoryAsync();
        await before.AssignAsync(1, 1);
        await before.AssignAsync(2, 2);
        Assert.Equal(ApplyResultKind.Applied, (await before.PreviewAndApplyAsync($"two users on {from}")).Result.Kind);
        var receiver = await lab.StartEspReceiverAsync(ct);
        EspFlow[] flows = [await lab.StartEspFlowAsync(lab.Clients[0], 0x51, ct: ct), await lab.StartEspFlowAsync(lab.Clients[1], 0x52, ct: ct)];
        Assert.True(await receiver.WaitForCountAsync(0x51, 3, Arrival, ct) && await receiver.WaitForCountAsync(0x52, 3, Arrival, ct));
        return (await RouterSnapshot.OwnedRulesAsync(lab, from), receiver, flows);
    }

    /// <summary>Every packet either flow sent arrived, and from its user's own address: never from the masquerade's 203.0.113.1.</summary>
    private static async Task AssertFlowsUnbrokenAsync(EspReceiver receiver, EspFlow[] flows, CancellationToken ct)
    {
        foreach (var flow in flows)
        {
            var sent = flow.LastSequence;
            Assert.True(await receiver.WaitForAsync(p => p.Count(x => x.Spi == flow.Spi) >= sent, Arrival, ct), $"flow {flow.Spi:X} lost packets");
        }
        Assert.Equal([NetnsLab.ExternalAlias(1)], receiver.SourcesFor(0x51));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0x52));
    }

    [LabTheory]
    [MemberData(nameof(Switches))]
    public async Task Restarting_with_the_other_backend_shows_a_pending_switch_and_one_apply_hands_over_without_a_packet_leaving_from_the_masquerade(string from, string to)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        var directory = Directory.CreateTempSubdirectory("routeradmin-switch-").FullName;
        try
        {
            var (oldRules, receiver, flows) = await RunWithAsync(lab, from, directory, ct);
            await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, to) with { Directory = directory });

            var status = await console.Get<FirewallStatusMonitor>().RefreshAsync(ct);
            Assert.False(status.Drifted, "the old backend's state is what the last revision put there: not drift");
            Assert.True(status.PendingSwitch);
            var preview = await console.Engine.PreviewApplyAsync(ct);
            var note = $"left by the {Word(from)} backend: will be removed after {Artefact(to)} is installed";
            Assert.Equal(note, preview.Words.Handover);
            Assert.Equal(note, status.Handover);
            Assert.Empty(preview.Words.Mappings);
            Assert.Empty(preview.FlowsToReset);
            Assert.IsType<HandoverChange>(preview.Change);
            // The new owner's transaction, its verification, and only then the old owner's removal.
            Assert.Equal(3, preview.Commands.Count(c => !c.StartsWith("read back and verify RouterAdmin", StringComparison.Ordinal)));
            Assert.EndsWith("# " + Artefact(to), preview.Commands[0]);
            Assert.Equal("read back and verify " + Artefact(to), preview.Commands[1]);
            Assert.EndsWith("# " + note, preview.Commands[2]);
            Assert.Contains(preview.Diff, l => l.Text == "# " + note);

            var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, $"switch to {to}", preview.Fingerprint), ct);

            Assert.Equal(ApplyResultKind.Applied, result.Kind);
            Assert.Equal("", await RouterSnapshot.OwnedRulesAsync(lab, from));
            var newRules = await RouterSnapshot.OwnedRulesAsync(lab, to);
            Assert.Contains("203.0.113.2", newRules);
            Assert.Contains("203.0.113.3", newRules);
            await AssertFlowsUnbrokenAsync(receiver, flows, ct);
            var after = await console.Get<FirewallStatusMonitor>().RefreshAsync(ct);
            Assert.True(after.InSync && !after.Drifted);
            Assert.NotEqual(oldRules, newRules);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LabTheory]
    [MemberData(nameof(Switches))]
    public async Task An_unconfirmed_switch_is_undone_by_putting_the_old_backends_state_back_before_removing_the_new_one(string from, string to)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        var directory = Directory.CreateTempSubdirectory("routeradmin-switch-").FullName;
        try
        {
            var (oldRules, receiver, flows) = await RunWithAsync(lab, from, directory, ct);
            await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, to) with { Directory = directory, Clock = time });
            var confirmations = console.Get<ConfirmationService>();
            var (_, result) = await console.PreviewAndApplyAsync($"try {to}", TimeSpan.FromSeconds(60));
            await confirmations.RefreshAsync(ct);
            Assert.Equal(ApplyResultKind.Applied, result.Kind);
            Assert.Equal("", await RouterSnapshot.OwnedRulesAsync(lab, from));

            time.Advance(TimeSpan.FromSeconds(61));
            await confirmations.LastExpiry.WaitAsync(TimeSpan.FromSeconds(60), ct);

            Assert.Equal(oldRules, await RouterSnapshot.OwnedRulesAsync(lab, from));
            Assert.Equal("", await RouterSnapshot.OwnedRulesAsync(lab, to));
            var revisions = await new HistoryReader(console).AllAsync();
            Assert.Equal(RevisionStatus.Reverted, revisions.Single(r => r.Id == result.RevisionId).Status);
            Assert.Equal(RevisionStatus.Applied, revisions[^1].Status);
            var status = await console.Get<FirewallStatusMonitor>().RefreshAsync(ct);
            Assert.False(status.Drifted);
            Assert.True(status.PendingSwitch, "the switch is pending again");
            await AssertFlowsUnbrokenAsync(receiver, flows, ct);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
