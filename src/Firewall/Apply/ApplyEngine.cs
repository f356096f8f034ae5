using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.History;
using RouterAdmin.Inventory;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// Turns a previewed plan into kernel state, all or nothing:
/// snapshot (a revision written before anything runs) → bind new addresses → one iptables-restore --noflush
/// transaction → unbind addresses no longer wanted → read back and verify → reset the conntrack entries of flows whose
/// mapping changed → record. If any step fails, the snapshot's owned state is put back and the revision says which step
/// failed and what the tool said.
/// </summary>
public sealed class ApplyEngine(
    IDbContextFactory<AppDbContext> dbFactory,
    IFirewallBackend backend,
    LiveStateReader reader,
    ApplyGate gate,
    FaultInjection faults,
    TimeProvider clock,
    ILogger<ApplyEngine> logger)
{
    /// <summary>What applying the current inventory would do. Shown before anything runs.</summary>
    public async Task<ChangePreview> PreviewApplyAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inventory = await InventoryService.CaptureAsync(db, ct);
        return FirewallDiffer.Compare(FirewallPlanner.Plan(inventory), await reader.ReadAsync(ct));
    }

    /// <summary>What rolling back to a revision would do: its inventory, planned again, against the live kernel.</summary>
    public async Task<ChangePreview> PreviewRollbackAsync(int revisionId, CancellationToken ct = default)
    {
        var target = await LoadRollbackTargetAsync(revisionId, ct);
        return FirewallDiffer.Compare(FirewallPlanner.Plan(target), await reader.ReadAsync(ct));
    }

    public async Task<ApplyResult> ApplyAsync(ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "apply", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inventory = await InventoryService.CaptureAsync(db, ct);
        return await RunAsync(RevisionKind.Apply, inventory, restoreInventory: false, rollbackTargetId: null, request, ct);
    }

    /// <summary>
    /// Rolls the kernel and the inventory back to a revision, so the next apply does not bring the bad change back.
    /// It is an apply like any other: previewed, snapshotted, recorded, and itself undoable.
    /// </summary>
    public async Task<ApplyResult> RollbackAsync(int revisionId, ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "rollback", clock, ct);
        var target = await LoadRollbackTargetAsync(revisionId, ct);
        return await RunAsync(RevisionKind.Rollback, target, restoreInventory: true, revisionId, request, ct);
    }

    /// <summary>
    /// Puts an inventory on the kernel without a preview: for the automatic paths that must act without a person
    /// (an unconfirmed change reaching its deadline, a restart during a confirmation window, the boot-time restore).
    /// Callers hold the gate.
    /// </summary>
    internal async Task<ApplyResult> ApplyUnattendedAsync(RevisionKind kind, InventorySnapshot target, bool restoreInventory, int? targetRevisionId,
        Security.Actor actor, string reason, CancellationToken ct)
    {
        var preview = FirewallDiffer.Compare(FirewallPlanner.Plan(target), await reader.ReadAsync(ct));
        return await RunAsync(kind, target, restoreInventory, targetRevisionId, new ApplyRequest(actor, reason, preview.Fingerprint), ct);
    }

    internal ApplyGate Gate => gate;

    private async Task<InventorySnapshot> LoadRollbackTargetAsync(int revisionId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Revisions.AsNoTracking().SingleOrDefaultAsync(r => r.Id == revisionId, ct)
            ?? throw new InventoryConflictException($"Revision {revisionId} does not exist.");
        if (revision.Status is not (RevisionStatus.Applied or RevisionStatus.AwaitingConfirmation or RevisionStatus.Reverted))
            throw new InventoryConflictException($"Revision {revisionId} was never in effect ({revision.Status.Describe()}); roll back to one that was.");
        return InventorySnapshot.FromJson(revision.InventoryJson);
    }

    private async Task<ApplyResult> RunAsync(RevisionKind kind, InventorySnapshot target, bool restoreInventory, int? rollbackTargetId,
        ApplyRequest request, CancellationToken ct)
    {
        request.Actor.EnsureCanEdit();
        var reason = request.Reason.Trim();
        if (reason.Length == 0)
            return new ApplyResult(ApplyResultKind.Refused, "Say why: a reason is required, so the history explains the change.");
        if (reason.Length > 500 || reason.Any(c => char.IsControl(c)))
            return new ApplyResult(ApplyResultKind.Refused, "The reason must be one line of at most 500 characters.");

        Report(ApplyStep.Planning, "Reading the router and planning");
        var desired = FirewallPlanner.Plan(target);
        var live = await reader.ReadAsync(ct);
        var preview = FirewallDiffer.Compare(desired, live);
        if (preview.Fingerprint != request.ExpectedFingerprint)
            return new ApplyResult(ApplyResultKind.Refused, new PreviewOutdatedException().Message);
        if (preview.InSync && !restoreInventory)
            return new ApplyResult(ApplyResultKind.NothingToDo, "The router already matches the inventory; nothing was run.");

        var started = Stopwatch.GetTimestamp();
        Report(ApplyStep.Snapshot, "Saving a snapshot of the current state");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = new Revision
        {
            Kind = kind,
            Status = RevisionStatus.InProgress,
            Actor = request.Actor.Name,
            Reason = reason,
            RollbackTargetId = rollbackTargetId,
            StartedAt = clock.GetUtcNow(),
            Backend = backend.Name,
            Namespace = backend.Namespace,
            DiffText = preview.UnifiedDiff,
            RestoreScript = preview.RestoreScript,
            CommandsText = string.Join('\n', PlannedCommands.Describe(preview, backend)),
            BeforeStateJson = live.Owned.ToJson(),
            AfterStateJson = desired.ToJson(),
            BeforeNatTable = live.NatTableText,
            InventoryJson = target.ToJson(),
            RulesAdded = preview.RulesAdded,
            RulesRemoved = preview.RulesRemoved,
        };
        db.Revisions.Add(revision);
        await db.SaveChangesAsync(ct);
        faults.After(ApplyStep.Snapshot);

        var step = ApplyStep.BindAddresses;
        try
        {
            // The kernel work must not be abandoned half way because a browser tab closed: only the caller's token
            // before this point can cancel; from here on the steps run to the end or to a restored snapshot.
            var kernel = CancellationToken.None;
            revision.ConntrackEntriesDeleted = await ExecuteAsync(preview, desired, s => step = s, kernel);

            step = ApplyStep.Record;
            Report(step, "Recording the revision");
            await FinishAsync(db, revision, target, restoreInventory, request, started, kernel);
            logger.LogInformation("Revision {Revision} ({Kind}) applied by {Actor}: +{Added} -{Removed}", revision.Id, kind, request.Actor.Name, preview.RulesAdded, preview.RulesRemoved);
            return new ApplyResult(ApplyResultKind.Applied, SuccessMessage(revision, preview), revision.Id);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            logger.LogWarning(failure, "Revision {Revision} failed at {Step}; restoring the snapshot", revision.Id, step);
            var restored = await RestoreSnapshotAsync(live.Owned);
            revision.Status = RevisionStatus.Failed;
            revision.FailedStep = StepName(step);
            revision.Error = failure is FirewallCommandException or VerificationException ? failure.Message : failure.ToString();
            revision.Outcome = restored ?? "The previous state was restored and verified.";
            revision.FinishedAt = clock.GetUtcNow();
            db.Record(clock, request.Actor.Name, kind == RevisionKind.Rollback ? "rollback.failed" : "apply.failed", $"Revision {revision.Id}", $"{revision.FailedStep}: {revision.Error}");
            await db.SaveChangesAsync(CancellationToken.None);
            return new ApplyResult(ApplyResultKind.Failed,
                $"The {StepName(step)} step failed, so nothing was changed: {revision.Outcome}", revision.Id, revision.FailedStep, revision.Error);
        }
    }

    /// <returns>How many conntrack entries were deleted.</returns>
    private async Task<int> ExecuteAsync(ChangePreview preview, OwnedState desired, Action<ApplyStep> at, CancellationToken ct)
    {
        at(ApplyStep.BindAddresses);
        foreach (var address in preview.AddressesToAdd)
        {
            Report(ApplyStep.BindAddresses, $"Binding {address}");
            await backend.AddAddressAsync(address, ct);
        }
        faults.After(ApplyStep.BindAddresses);

        at(ApplyStep.Restore);
        if (preview.RulesChange)
        {
            Report(ApplyStep.Restore, $"Replacing the owned chain ({desired.SnatRules.Count} rules) in one transaction");
            await backend.RestoreAsync(preview.RestoreScript, ct);
        }
        faults.After(ApplyStep.Restore);

        at(ApplyStep.UnbindAddresses);
        foreach (var address in preview.AddressesToRemove)
        {
            Report(ApplyStep.UnbindAddresses, $"Removing {address}");
            await backend.DeleteAddressAsync(address, ct);
        }
        faults.After(ApplyStep.UnbindAddresses);

        at(ApplyStep.Verify);
        Report(ApplyStep.Verify, "Reading the router back");
        var after = await reader.ReadAsync(ct);
        if (!after.Owned.IsEquivalentTo(desired))
            throw new VerificationException(FirewallDiffer.Compare(desired, after));
        faults.After(ApplyStep.Verify);

        at(ApplyStep.ResetConntrack);
        var deleted = 0;
        foreach (var flow in preview.FlowsToReset)
        {
            Report(ApplyStep.ResetConntrack, $"Resetting connection tracking for {flow}");
            deleted += await backend.ResetFlowAsync(flow, ct);
        }
        faults.After(ApplyStep.ResetConntrack);
        return deleted;
    }

    private async Task FinishAsync(AppDbContext db, Revision revision, InventorySnapshot target, bool restoreInventory, ApplyRequest request, long started, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (restoreInventory)
            await InventoryService.ReplaceAsync(db, target, ct);
        // Whatever was awaiting confirmation is superseded: the newer change carries its own confirmation (or none).
        await db.Revisions
            .Where(r => r.Status == RevisionStatus.AwaitingConfirmation && r.Id != revision.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Applied).SetProperty(r => r.ConfirmedBy, request.Actor.Name + " (superseded)"), ct);
        revision.FinishedAt = clock.GetUtcNow();
        if (request.ConfirmWithin is { } window)
        {
            revision.Status = RevisionStatus.AwaitingConfirmation;
            revision.ConfirmDeadline = revision.FinishedAt + window;
            revision.Outcome = $"Applied; rolled back automatically unless confirmed by {revision.ConfirmDeadline:u}.";
        }
        else
        {
            revision.Status = RevisionStatus.Applied;
            revision.Outcome = $"Applied and verified in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.";
        }
        db.Record(clock, request.Actor.Name, revision.Kind switch
        {
            RevisionKind.Rollback => "rollback",
            RevisionKind.AutoRollback => "rollback.automatic",
            RevisionKind.BootRestore => "restore.boot",
            _ => "apply",
        }, $"Revision {revision.Id}", $"{revision.Reason} (+{revision.RulesAdded} −{revision.RulesRemoved})");
        await db.SaveChangesAsync(ct);
        faults.After(ApplyStep.Record);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Puts the owned part of the kernel back as the snapshot had it. Returns null when that worked and was verified,
    /// otherwise a sentence for the administrator saying what is left to fix by hand.
    /// </summary>
    internal async Task<string?> RestoreSnapshotAsync(OwnedState snapshot)
    {
        Report(ApplyStep.RestoringSnapshot, "Restoring the snapshot");
        try
        {
            var now = await reader.ReadAsync(CancellationToken.None);
            var undo = FirewallDiffer.Compare(snapshot, now);
            foreach (var address in undo.AddressesToAdd) await backend.AddAddressAsync(address, CancellationToken.None);
            if (undo.RulesChange) await backend.RestoreAsync(undo.RestoreScript, CancellationToken.None);
            foreach (var address in undo.AddressesToRemove) await backend.DeleteAddressAsync(address, CancellationToken.None);
            var check = await reader.ReadAsync(CancellationToken.None);
            if (!check.Owned.IsEquivalentTo(snapshot))
                return "Restoring the previous state did not verify; the dashboard shows the difference. Re-apply or roll back.";
            foreach (var flow in undo.FlowsToReset) await backend.ResetFlowAsync(flow, CancellationToken.None);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Restoring the snapshot failed");
            return $"Restoring the previous state failed too ({e.Message}); the dashboard shows what the router holds now.";
        }
    }

    private void Report(ApplyStep step, string description) => gate.Report(new ApplyProgress(step, description));

    private static string SuccessMessage(Revision revision, ChangePreview preview)
    {
        var what = revision.Kind == RevisionKind.Rollback ? $"Rolled back to revision {revision.RollbackTargetId}" : "Applied";
        var confirm = revision.Status == RevisionStatus.AwaitingConfirmation ? $" Confirm before {revision.ConfirmDeadline:HH:mm:ss} UTC or it is undone." : "";
        return $"{what} as revision {revision.Id}: {preview.RulesAdded} line(s) added, {preview.RulesRemoved} removed, {revision.ConntrackEntriesDeleted} conntrack entr(ies) reset.{confirm}";
    }

    internal static string StepName(ApplyStep step) => step switch
    {
        ApplyStep.BindAddresses => "bind addresses",
        ApplyStep.Restore => "iptables-restore",
        ApplyStep.UnbindAddresses => "unbind addresses",
        ApplyStep.Verify => "verify",
        ApplyStep.ResetConntrack => "conntrack reset",
        ApplyStep.Record => "record",
        ApplyStep.Snapshot => "snapshot",
        ApplyStep.RestoringSnapshot => "restore snapshot",
        _ => "planning",
    };
}

/// <summary>The kernel, read back after the apply, is not what was planned (someone changed it meanwhile, or a tool misbehaved).</summary>
public sealed class VerificationException(ChangePreview difference)
    : Exception("The router, read back after the apply, differs from the plan: "
        + string.Join("; ", difference.Diff.Where(l => l.Kind != DiffKind.Unchanged).Take(5).Select(l => l.Unified.Trim())));
