using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>When a step of an apply fails on the real kernel, nothing changes, the administrator is told which step and what the tool said, and the history keeps it.</summary>
public sealed class KernelFaultSpecs
{
    [LabFact]
    public async Task A_missing_iptables_restore_binary_changes_nothing_and_is_recorded()
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab).With("RouterAdmin:Firewall:Paths:IptablesRestore", "/nonexistent/iptables-restore"));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        var before = await KernelAsync(lab);

        var (_, result) = await console.PreviewAndApplyAsync("should fail");

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("iptables-restore", result.FailedStep);
        Assert.Contains("/nonexistent/iptables-restore", result.Error);
        Assert.Equal(before, await KernelAsync(lab));
        var revision = await new HistoryReader(console).LastAsync();
        Assert.Equal(RevisionStatus.Failed, revision.Status);
        Assert.Equal("iptables-restore", revision.FailedStep);
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task Binding_on_a_wan_interface_that_does_not_exist_changes_nothing_and_says_what_ip_said(string backend)
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 2);
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("good state");
        var before = await KernelAsync(lab, backend);
        await console.Addresses.CreateAsync(new Inventory.ExternalAddressDraft
        {
            Address = "203.0.113.50", Interface = "wan9", PrefixLength = 24, BindOnWan = true,
        }, TestConsole.Admin, TestContext.Current.CancellationToken);
        await console.AssignAsync(2, 2);

        var (_, result) = await console.PreviewAndApplyAsync("alias on a missing interface");

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("bind addresses", result.FailedStep);
        Assert.Contains("wan9", result.Error);
        Assert.Equal(before, await KernelAsync(lab, backend));
    }

    // Only legacy iptables serialises on a lock file; nft commits through the kernel's own mutex and has nothing to hold.
    [LabFact]
    public async Task An_xtables_lock_held_past_the_wait_fails_the_apply_without_changing_anything()
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        // Legacy iptables serialises on /run/xtables.lock; nft does not lock, so this fault exists only there.
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab)
            .With("RouterAdmin:Firewall:Flavor", "legacy")
            .With("RouterAdmin:Firewall:LockWaitSeconds", "1"));
        await console.SeedStoryAsync(bindOnWan: false);
        await console.AssignAsync(1, 1);
        var before = await lab.ExecAsync(lab.RouterNamespace, "iptables-legacy-save", "-t", "nat");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", "/run/xtables.lock", "sleep", "8"]))!;
        await Eventually.UntilAsync(XtablesLockIsHeldAsync, "flock to take /run/xtables.lock", ct: TestContext.Current.CancellationToken);
        try
        {
            var (_, result) = await console.PreviewAndApplyAsync("lock is held");

            Assert.Equal(ApplyResultKind.Failed, result.Kind);
            Assert.Equal("iptables-restore", result.FailedStep);
            Assert.Contains("lock", result.Error, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        Assert.Equal(Strip(before), Strip(await lab.ExecAsync(lab.RouterNamespace, "iptables-legacy-save", "-t", "nat")));
    }

    [LabFact]
    public async Task A_table_changed_by_someone_else_during_the_apply_is_detected_by_the_read_back_and_the_snapshot_restored()
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab) with { Sabotage = true });
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.PreviewAndApplyAsync("good state");
        var before = await KernelAsync(lab);
        await console.AssignAsync(2, 2);
        console.Kernel.AfterNextRestore = _ => lab.IptablesAsync("-t", "nat", "-I", OwnedChains.Snat, "1", "-s", "192.168.1.99/32", "-j", "RETURN");

        var (_, result) = await console.PreviewAndApplyAsync("someone edits the table meanwhile");

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("verify", result.FailedStep);
        Assert.Contains("differs from the plan", result.Error);
        Assert.Equal(before, await KernelAsync(lab));
        Assert.Equal(RevisionStatus.Failed, (await new HistoryReader(console).LastAsync()).Status);
    }

    [LabFact]
    public async Task Newlines_quotes_and_iptables_syntax_in_a_clients_name_and_notes_cannot_change_what_the_kernel_holds()
    {
        await using var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab));
        await console.SeedStoryAsync();
        var filterBefore = await lab.ExecAsync(lab.RouterNamespace, "iptables-save", "-t", "filter");
        // Written straight to the database, past the validator, as if a future bug let it through: the planner and the
        // restore writer are the last line of defence.
        const string hostile = "Mallory\" -j ACCEPT\nCOMMIT\n*filter\n-A FORWARD -j DROP\n-A INPUT -j ACCEPT '$(reboot)`";
        await using (var db = await console.OpenDatabaseAsync())
        {
            var client = await db.Clients.SingleAsync(c => c.Id == console.ClientIds[1], TestContext.Current.CancellationToken);
            client.Name = hostile;
            client.Notes = hostile;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await console.AssignAsync(1, 1);

        var (preview, result) = await console.PreviewAndApplyAsync("hostile name");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        var scriptLines = preview.Transaction.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["*nat"], scriptLines.Where(l => l.StartsWith('*')));
        Assert.Equal("COMMIT", Assert.Single(scriptLines, l => l.StartsWith("COMMIT", StringComparison.Ordinal)));
        Assert.DoesNotContain(scriptLines, l => l.StartsWith("-A FORWARD", StringComparison.Ordinal) || l.StartsWith("-A INPUT", StringComparison.Ordinal));
        Assert.Equal(
            "-A ROUTERADMIN-SNAT -s 192.168.1.2/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Mallory__-j_ACCEPT_COMMIT__filter_-A_FORWARD_-j_ to Customer_Contivity\" -j SNAT --to-source 203.0.113.2",
            await RouterSnapshot.OwnedChainAsync(lab) is var chain ? chain.Split('\n').Single(l => l.StartsWith("-A ROUTERADMIN-SNAT", StringComparison.Ordinal) && l.Contains("SNAT --to-source", StringComparison.Ordinal)) : "");
        Assert.Equal(Strip(filterBefore), Strip(await lab.ExecAsync(lab.RouterNamespace, "iptables-save", "-t", "filter")));
    }

    /// <summary>The owned rules and the bound addresses, and everything else: what an apply may change and what it may not.</summary>
    internal static async Task<string> KernelAsync(NetnsLab lab, string backend = "Iptables") =>
        await RouterSnapshot.OwnedRulesAsync(lab, backend) + "\n" + string.Join(',', await RouterSnapshot.OwnedAddressesAsync(lab)) + "\n" + await RouterSnapshot.ForeignRulesetAsync(lab, backend);

    /// <summary>A non-blocking attempt to take the lock fails only while someone else holds it.</summary>
    private static async Task<bool> XtablesLockIsHeldAsync()
    {
        using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", "-x", "/run/xtables.lock", "true"]))!;
        await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
        return probe.ExitCode != 0;
    }

    private static string Strip(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')).Select(l => l.StartsWith(':') ? l[..l.LastIndexOf(' ')] : l));
}
