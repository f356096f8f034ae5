using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// Turns a previewed change into kernel state, all or nothing: a revision written before anything runs → the kernel
/// steps (<see cref="KernelTransaction"/>) → record. If any step fails, the snapshot is put back and the revision says
/// which step failed and what the tool said. What each kind of change wants comes from <see cref="ApplyTargets"/>.
/// </summary>
public sealed class ApplyEngine(
    IDbContextFactory<AppDbContext> dbFactory,
    IFirewallBackend backend,
    ApplyTargets targets,
    ChangeReuse reuse,
    KernelTransaction kernel,
    RevisionStore revisions,
    ApplyGate gate,
    FaultInjection faults,
    TimeProvider clock,
    ILogger<ApplyEngine> logger)
{
    public static readonly TimeSpan MinConfirmWindow = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxConfirmWindow = TimeSpan.FromHours(1);

    private (Revision Revision, string AuditAction)? _unrecordedFailure;

    /// <summary>What applying the current inventory would do. Shown before anything runs.</summary>
    public async Task<ChangePreview> PreviewApplyAsync(CancellationToken ct = default) =>
        await PreviewToReadAsync(await targets.ApplyAsync(ct, captured: reuse.WriteAhead), ct);

    /// <summary>What rolling back to a revision would do: its inventory, planned again, against the live kernel.</summary>
    public async Task<ChangePreview> PreviewRollbackAsync(int revisionId, CancellationToken ct = default)
    {
        var target = await targets.RollbackAsync(revisionId, ct);
        reuse.WriteAhead(target.Inventory);
        return await PreviewToReadAsync(target, ct);
    }

    /// <summary>A preview someone reads before applying it: what its revision keeps is written meanwhile.</summary>
    private async Task<ChangePreview> PreviewToReadAsync(ApplyTarget target, CancellationToken ct)
    {
        reuse.WriteAhead(target.Desired);
        var preview = await PreviewAsync(target, ct);
        reuse.WriteAhead(preview.Change);
        return preview;
    }

    public async Task<ApplyResult> ApplyAsync(ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "apply", clock, ct);
        // Read the router while the inventory is planned: two processes and a database query, independent of each other.
        var live = backend.ReadAsync(ct);
        var target = await targets.ApplyAsync(ct);
        return await RunAsync(target, request, ct, await live);
    }

    /// <summary>
    /// Rolls the kernel and the inventory back to a revision, so the next apply does not bring the bad change back.
    /// It is an apply like any other: previewed, snapshotted, recorded, and itself undoable.
    /// </summary>
    public async Task<ApplyResult> RollbackAsync(int revisionId, ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "rollback", clock, ct);
        return await RunAsync(await targets.RollbackAsync(revisionId, ct), request, ct);
    }

    /// <summary>Repairs drift: the last applied revision's rules and addresses go back on the kernel.</summary>
    public async Task<ApplyResult> ReapplyAsync(ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "re-apply", clock, ct);
        return await RunAsync(await targets.ReapplyAsync(ct), request, ct);
    }

    /// <summary>
    /// Undoes a change that was not confirmed in time. No preview: nobody is there to look at it, which is the point.
    /// Callers hold the gate.
    /// </summary>
    internal async Task<ApplyResult> RevertUnconfirmedAsync(Revision unconfirmed, string reason, CancellationToken ct) =>
        await RunUnattendedAsync(await targets.RevertAsync(unconfirmed, ct), reason, ct);

    /// <summary>
    /// The boot-time restore: the last confirmed revision's rules and addresses, never a change still awaiting
    /// confirmation. Returns null when nothing was ever applied.
    /// </summary>
    public async Task<ApplyResult?> RestoreConfirmedAsync(CancellationToken ct = default)
    {
        await using var _ = await gate.EnterAsync(Actor.System.Name, "boot restore", clock, ct);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // A change nobody confirmed before the reboot is not brought back; it is recorded as reverted.
            await db.Revisions.Where(r => r.Status == RevisionStatus.AwaitingConfirmation)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RevisionStatus.Reverted)
                    .SetProperty(r => r.Outcome, "Not confirmed before the router restarted; the boot-time restore did not load it."), ct);
        }
        var confirmed = await revisions.LastInEffectAsync(before: null, includeAwaiting: false, ct);
        if (confirmed is null) return null;
        var target = await targets.RestoreAsync(confirmed, ct);
        if ((await PreviewAsync(target, ct)).InSync) return new ApplyResult(ApplyResultKind.NothingToDo, $"The router already holds revision {confirmed.Id}.", confirmed.Id);
        return await RunUnattendedAsync(target, $"boot: restore revision {confirmed.Id}", ct);
    }

    /// <summary>One read of the router, and what it says: pending changes, drift, and the read itself for whoever needs more of it.</summary>
    public sealed record StateCheck(ChangePreview Pending, ChangePreview? Drift, int? BaselineRevisionId, ILiveFirewall Live, Inventory.InventorySnapshot Inventory);

    /// <summary>
    /// One read of the kernel compared twice: with the inventory (pending changes) and with the last applied revision
    /// (drift). Reading once keeps the background check cheap at 10,000 rules.
    /// </summary>
    public async Task<StateCheck> CheckAsync(CancellationToken ct = default)
    {
        var target = await targets.ApplyAsync(ct);
        var baseline = await revisions.LastInEffectAsync(before: null, includeAwaiting: true, ct);
        // With counters: the status, the import offer and the dashboard's activity all come from this one read.
        var live = await backend.ReadAsync(ct, withCounters: true);
        var drift = baseline is null ? null : Preview(backend.Compare(await revisions.StateAfterAsync(baseline.Id, ct), live));
        // A read with counters is never handed out again, so its comparison is not kept for the next caller.
        return new StateCheck(Compare(target, live, keep: false), drift, baseline?.Id, live, target.Inventory);
    }

    private async Task<ChangePreview> PreviewAsync(ApplyTarget target, CancellationToken ct) =>
        Compare(target, await backend.ReadAsync(ct));

    private ChangePreview Compare(ApplyTarget target, ILiveFirewall live, bool keep = true) =>
        Preview(keep ? reuse.Compare(target.Desired, live) : backend.Compare(target.Desired, live)) with { InventoryStamp = target.OverwrittenInventoryStamp, WantedPlan = target.Plan };

    private ChangePreview Preview(IBackendChange change) => new(change, kernel.Describe(change)) { TransactionTool = backend.TransactionTool };

    private async Task<ApplyResult> RunUnattendedAsync(ApplyTarget target, string reason, CancellationToken ct)
    {
        var preview = await PreviewAsync(target, ct);
        return await RunAsync(target, new ApplyRequest(Actor.System, reason, preview.Fingerprint), ct);
    }

    private async Task<ApplyResult> RunAsync(ApplyTarget target, ApplyRequest request, CancellationToken ct, ILiveFirewall? alreadyRead = null)
    {
        request.Actor.EnsureCanEdit();
        var reason = request.Reason.Trim();
        if (RefusalOf(request, reason) is { } refused)
            return ApplyResult.Refused(refused);

        gate.Report(new ApplyProgress(ApplyStep.Planning, "Reading the router and planning"));
        var preview = Compare(target, alreadyRead ?? await backend.ReadAsync(ct));
        if (preview.Fingerprint != request.ExpectedFingerprint)
            return ApplyResult.Refused(new OutdatedPreview());
        if (preview.InSync && !target.RestoreInventory)
            return new ApplyResult(ApplyResultKind.NothingToDo, target.Kind == RevisionKind.Apply
                ? "The router already matches the inventory; nothing was run."
                : "The router already matches; nothing was run.");

        var started = Stopwatch.GetTimestamp();
        gate.Report(new ApplyProgress(ApplyStep.Snapshot, "Saving a snapshot of the current state"));
        var change = preview.Change;
        Revision revision;
        try
        {
            await RecordUnrecordedFailureAsync();
            revision = await revisions.BeginAsync(new RevisionRecord(target.Kind, request.Actor.Name, reason, target.TargetRevisionId,
                change.Live, change.Undo, target.Desired, target.Inventory, change.Transaction, preview.Commands, preview.RulesAdded, preview.RulesRemoved), ct);
        }
        catch (StorageUnavailable refusal)
        {
            // Without its snapshot on disk a change could not be undone after a crash: the kernel is not touched.
            return ApplyResult.Refused(refusal);
        }
        faults.After(ApplyStep.Snapshot);

        var step = ApplyStep.BindAddresses;
        try
        {
            // The kernel work must not be abandoned half way because a browser tab closed: only the caller's token
            // before this point can cancel; from here on the steps run to the end or to a restored snapshot.
            revision.ConntrackEntriesDeleted = await kernel.RunAsync(change, s => step = s, CancellationToken.None);

            step = ApplyStep.Record;
            gate.Report(new ApplyProgress(step, "Recording the revision"));
            await revisions.CompleteAsync(revision,
                new Completion(AuditAction(target.Kind), Stopwatch.GetElapsedTime(started), request.ConfirmWithin,
                    target.RestoreInventory ? target.Inventory : null, target.Kind == RevisionKind.AutoRollback ? target.TargetRevisionId : null),
                () => faults.After(ApplyStep.Record), CancellationToken.None);
            logger.LogInformation("Revision {Revision} ({Kind}) applied by {Actor}: +{Added} -{Removed}", revision.Id, target.Kind, request.Actor.Name, preview.RulesAdded, preview.RulesRemoved);
            return new ApplyResult(ApplyResultKind.Applied, SuccessMessage(revision, preview), revision.Id);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            logger.LogWarning(failure, "Revision {Revision} failed at {Step}; restoring the snapshot", revision.Id, step);
            var problem = await kernel.RestoreAsync(change.Undo);
            revision.Status = problem is null ? RevisionStatus.Failed : RevisionStatus.FailedNotRestored;
            revision.FailedStep = step.Describe(backend.TransactionTool);
            // The tool's words for the administrator; a stack trace belongs in the log, not on a page viewers can read.
            revision.Error = failure.Message;
            revision.Outcome = problem ?? "The previous state was restored and verified.";
            if (failure is StorageUnavailable storage)
                return await StorageFailedAsync(revision, storage, problem, target.Kind);
            await revisions.FailAsync(revision, AuditActions.Failed(AuditAction(target.Kind)));
            return new ApplyResult(ApplyResultKind.Failed,
                problem is null
                    ? $"The {step.Describe(backend.TransactionTool)} step failed, so nothing was changed: {revision.Outcome}"
                    : $"The {step.Describe(backend.TransactionTool)} step failed, and the router may be half changed: {problem}",
                revision.Id, revision.FailedStep, revision.Error);
        }
    }

    /// <summary>A failure the full disk kept out of the history, written before the next change (callers hold the gate).</summary>
    private async Task RecordUnrecordedFailureAsync()
    {
        if (_unrecordedFailure is not var (revision, auditAction)) return;
        await revisions.FailAsync(revision, auditAction);
        _unrecordedFailure = null;
    }

    /// <summary>
    /// The change could not be recorded, so it was undone on the router: the history must not miss a change the router
    /// holds. Recording the failure may hit the same disk; the revision then stays "in progress" (which is true of it:
    /// its snapshot is the state the router is back in) until the next change writes it first, or start-up recovery settles it.
    /// </summary>
    private async Task<ApplyResult> StorageFailedAsync(Revision revision, StorageUnavailable storage, string? problem, RevisionKind kind)
    {
        revision.Error = storage.Message;
        try
        {
            await revisions.FailAsync(revision, AuditActions.Failed(AuditAction(kind)));
        }
        catch (StorageUnavailable)
        {
            logger.LogError("Revision {Revision} could not be marked failed either: {Problem}", revision.Id, storage.Message);
            _unrecordedFailure = (revision, AuditActions.Failed(AuditAction(kind)));
        }
        return new ApplyResult(ApplyResultKind.Failed,
            problem is null
                ? $"{storage.Message} The change could not be recorded, so it was undone: the router holds the previous state again (verified)."
                : $"{storage.Message} The change could not be recorded, and undoing it on the router did not work: {problem}",
            revision.Id, revision.FailedStep) { Refusal = storage };
    }

    private static InvalidInput? RefusalOf(ApplyRequest request, string reason)
    {
        if (reason.Length == 0)
            return InvalidInput.For(nameof(ApplyRequest.Reason), "Say why: a reason is required, so the history explains the change.");
        if (reason.Length > Domain.Limits.ReasonLength || reason.Any(char.IsControl))
            return InvalidInput.For(nameof(ApplyRequest.Reason), $"The reason must be one line of at most {Domain.Limits.ReasonLength} characters.");
        if (request.ConfirmWithin is { } window && (window < MinConfirmWindow || window > MaxConfirmWindow))
            return InvalidInput.For(nameof(ApplyRequest.ConfirmWithin), $"A confirmation window must be between {MinConfirmWindow.TotalSeconds:0} seconds and {MaxConfirmWindow.TotalMinutes:0} minutes.");
        return null;
    }

    private static string AuditAction(RevisionKind kind) => kind switch
    {
        RevisionKind.Rollback => AuditActions.Rollback,
        RevisionKind.AutoRollback => AuditActions.RollbackAutomatic,
        RevisionKind.BootRestore => AuditActions.RestoreBoot,
        RevisionKind.Reapply => AuditActions.Reapply,
        RevisionKind.Adopt => AuditActions.Adopt,
        _ => AuditActions.Apply,
    };

    private static string SuccessMessage(Revision revision, ChangePreview preview)
    {
        var what = revision.Kind switch
        {
            RevisionKind.Rollback => $"Rolled back to revision {revision.RollbackTargetId}",
            RevisionKind.Reapply => $"Re-applied revision {revision.RollbackTargetId}",
            RevisionKind.AutoRollback => $"Undid unconfirmed revision {revision.RollbackTargetId}",
            RevisionKind.BootRestore => $"Restored revision {revision.RollbackTargetId}",
            _ => "Applied",
        };
        var confirm = revision.Status == RevisionStatus.AwaitingConfirmation ? $" Confirm before {revision.ConfirmDeadline:HH:mm:ss} UTC or it is undone." : "";
        return $"{what} as revision {revision.Id}: {preview.RulesAdded} line(s) added, {preview.RulesRemoved} removed, {revision.ConntrackEntriesDeleted} conntrack entr(ies) reset.{confirm}";
    }
}
