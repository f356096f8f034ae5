using RouterAdmin.Firewall.Backends.Iptables;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// The console's process is killed (SIGKILL, as by a power cut or kill -9) at each step of an apply. After the restart
/// the kernel holds the previous state, never a mix, and the history says what was found.
/// </summary>
public sealed class KernelCrashSpecs
{
    private static readonly ApplyStep[] EverySideEffect =
    [
        ApplyStep.Snapshot, ApplyStep.BindAddresses, ApplyStep.Restore, ApplyStep.UnbindAddresses,
        ApplyStep.Verify, ApplyStep.ResetConntrack, ApplyStep.Record,
    ];

    /// <summary>Each step on each real backend.</summary>
    public static TheoryData<string, ApplyStep> Steps
    {
        get
        {
            var data = new TheoryData<string, ApplyStep>();
            foreach (var backend in TestConsole.RealBackends)
                foreach (var step in EverySideEffect)
                    data.Add(backend, step);
            return data;
        }
    }

    [LabTheory]
    [MemberData(nameof(Steps))]
    public async Task Killed_mid_apply_the_router_is_back_in_its_previous_state_after_restart_and_the_history_says_so(string backend, ApplyStep killedAfter)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 4);
        await console.AssignAsync(1, 1);
        var client2 = await console.AssignAsync(2, 2);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("before the crash")).Result.Kind);
        var previousRules = await RouterSnapshot.OwnedRulesAsync(lab, backend);
        var previousAddresses = await RouterSnapshot.OwnedAddressesAsync(lab);

        // The next change binds a new address, unbinds one, and rewrites the chain, so every step has work to do.
        await console.Addresses.CreateAsync(new Inventory.ExternalAddressDraft
        {
            Address = NetnsLab.ExternalAlias(5).ToString(), Interface = NetnsLab.WanInterface, PrefixLength = 24, BindOnWan = true,
        }, TestConsole.Admin, ct);
        var snapshot = await console.Store.CaptureAsync(ct);
        await console.Assignments.ReassignAsync(client2.Id, snapshot.ExternalAddresses.Single(a => a.Address.Equals(NetnsLab.ExternalAlias(5))).Id, TestConsole.Admin, ct);
        await console.Addresses.DeleteAsync(console.AddressIds[4], 0, TestConsole.Admin, ct);

        var exit = await RunConsoleAsync(console, killedAfter, ct);
        Assert.Equal(137, exit.Code);
        var interrupted = await new HistoryReader(console).LastAsync();
        Assert.Equal(RevisionStatus.InProgress, interrupted.Status);

        // The restart: the same start-up recovery the web console and every verb run before anything else.
        Assert.Equal(1, await console.Services.GetRequiredService<ApplyRecovery>().RecoverAsync(ct));

        Assert.Equal(previousRules, await RouterSnapshot.OwnedRulesAsync(lab, backend));
        Assert.Equal(previousAddresses, await RouterSnapshot.OwnedAddressesAsync(lab));
        var recorded = await new HistoryReader(console).LastAsync();
        Assert.Equal(interrupted.Id, recorded.Id);
        Assert.Equal(RevisionStatus.Interrupted, recorded.Status);
        var expectedFinding = killedAfter switch
        {
            ApplyStep.Snapshot or ApplyStep.BindAddresses => "the previous rules",
            ApplyStep.Restore => "the new rules, with addresses half changed",
            _ => "the new state",
        };
        Assert.Contains($"At restart the router held {expectedFinding}", recorded.Outcome);
        Assert.Contains("put back and verified", recorded.Outcome);
        TestContext.Current.TestOutputHelper?.WriteLine($"{backend} {killedAfter}: {recorded.Outcome}");
    }

    /// <summary>Runs the real executable's apply verb against the lab router and the console's database, dying on cue.</summary>
    private static Task<(int Code, string Output)> RunConsoleAsync(TestConsole console, ApplyStep killAfter, CancellationToken ct) =>
        ConsoleProcess.RunAsync(console, ["apply", "--reason", "crash test", "--yes"], ct,
            new Dictionary<string, string?> { ["RouterAdmin:Testing:KillAfterStep"] = killAfter.ToString() });
}
