using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// The kernel side of every change, as one ordered list of steps: bind new addresses → the backend's one transaction →
/// unbind addresses no longer wanted → read back and verify → reset the conntrack entries of flows whose mapping
/// changed. An apply, a rollback and putting a snapshot back all run this list, and the preview shows its commands.
/// </summary>
public sealed class KernelTransaction(IFirewallBackend backend, ApplyGate gate, FaultInjection faults, ILogger<KernelTransaction> logger)
{
    /// <summary>One step: what it runs, and its commands as text, written only for the preview and the history (10,000 lines for a first apply).</summary>
    private sealed record Step(ApplyStep Id, Func<IEnumerable<string>> Commands, Func<Run, CancellationToken, Task> ExecuteAsync);

    /// <summary>What one run carries from step to step: the conntrack entries looked up beside the verify, and the count.</summary>
    private sealed class Run
    {
        public Task<FoundFlows> Found = Task.FromResult(FoundFlows.None);
        public int Deleted;
    }

    /// <summary>The commands the change will run, in order, as the backend will run them: shown in the preview, kept in the history.</summary>
    public IReadOnlyList<string> Describe(IBackendChange change) =>
        _described.GetValue(change, c => Steps(c).SelectMany(s => s.Commands()).ToArray());

    // Once per change: the apply after a preview describes the same change (10,000 lines for a first apply).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBackendChange, IReadOnlyList<string>> _described = [];

    /// <summary>Runs every step; <paramref name="at"/> hears each one as it starts. Returns how many conntrack entries went.</summary>
    public async Task<int> RunAsync(IBackendChange change, Action<ApplyStep> at, CancellationToken ct)
    {
        var run = new Run();
        foreach (var step in Steps(change))
        {
            at(step.Id);
            await step.ExecuteAsync(run, ct);
            faults.After(step.Id);
        }
        return run.Deleted;
    }

    /// <summary>
    /// Puts RouterAdmin's part of the router back as <paramref name="snapshot"/> describes it, through the same steps.
    /// Returns null when that worked and was verified, otherwise a sentence for the administrator saying what is left.
    /// </summary>
    public async Task<string?> RestoreAsync(IOwnedFirewall snapshot)
    {
        gate.Report(new ApplyProgress(ApplyStep.RestoringSnapshot, "Restoring the snapshot"));
        var none = CancellationToken.None;
        try
        {
            var undo = backend.Compare(snapshot, await backend.ReadAsync(none));
            var run = new Run();
            foreach (var step in Steps(undo)) await step.ExecuteAsync(run, none);
            return null;
        }
        catch (VerificationException)
        {
            return "Restoring the previous state did not verify; the dashboard shows the difference. Re-apply or roll back.";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Restoring the snapshot failed");
            return $"Restoring the previous state failed too ({e.Message}); the dashboard shows what the router holds now.";
        }
    }

    private IReadOnlyList<Step> Steps(IBackendChange change)
    {
        var touches = change.RulesChange || change.AddressesToAdd.Count > 0 || change.AddressesToRemove.Count > 0;
        return
        [
            new(ApplyStep.BindAddresses, () => change.AddressesToAdd.Select(backend.DescribeAddAddress), async (_, ct) =>
            {
                foreach (var address in change.AddressesToAdd)
                {
                    Report(ApplyStep.BindAddresses, $"Binding {address}");
                    await backend.AddAddressAsync(address, ct);
                }
            }),
            new(ApplyStep.Restore, () => change.RulesChange ? backend.DescribeCommit(change) : [], async (_, ct) =>
            {
                if (!change.RulesChange) return;
                Report(ApplyStep.Restore, "Changing RouterAdmin's rules in one transaction");
                await backend.CommitAsync(change, ct);
            }),
            new(ApplyStep.UnbindAddresses, () => change.AddressesToRemove.Select(backend.DescribeDeleteAddress), async (_, ct) =>
            {
                foreach (var address in change.AddressesToRemove)
                {
                    Report(ApplyStep.UnbindAddresses, $"Removing {address}");
                    await backend.DeleteAddressAsync(address, ct);
                }
            }),
            new(ApplyStep.Verify, () => touches ? ["read back and verify RouterAdmin's rules and addresses"] : [], async (run, ct) =>
            {
                Report(ApplyStep.Verify, "Reading the router back");
                // The conntrack table is read while the rules are: both are reads, and the entries are only acted on
                // once the rules are verified. Reading after the transaction is enough: a connection made since then
                // already follows the new rules.
                run.Found = change.FlowsToReset.Count == 0 ? run.Found : Task.Run(() => backend.FindFlowsAsync(change.FlowsToReset, ct), ct);
                try
                {
                    await backend.VerifyAsync(change.Desired, ct);
                }
                catch
                {
                    // The lookup is not wanted any more; its failure must not go unobserved.
                    _ = run.Found.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    throw;
                }
            }),
            new(ApplyStep.ResetConntrack, () => change.FlowsToReset.Select(backend.DescribeResetFlow), async (run, ct) =>
            {
                var found = await run.Found;
                if (found.Entries.Count == 0) return;
                Report(ApplyStep.ResetConntrack, $"Resetting connection tracking for {found.Entries.Count} connection(s)");
                run.Deleted += await backend.DeleteFlowsAsync(found, ct);
            }),
        ];
    }

    private void Report(ApplyStep step, string description) => gate.Report(new ApplyProgress(step, description));
}
