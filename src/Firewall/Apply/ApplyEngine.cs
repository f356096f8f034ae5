using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

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
    InventoryStore inventoryStore,
    IFirewallBackend backend,
    LiveStateReader reader,
    ApplyGate gate,
    FaultInjection faults,
    TimeProvider clock,
    ILogger<ApplyEngine> logger)
{
    /// <summary>What applying the current inventory would do. Shown before anything runs.</summary>
    public async Task<ChangePreview> PreviewApplyAsync(CancellationToken ct = default) =>
        await PreviewAsync(await ApplyTargetAsync(ct), ct);

    /// <summary>What rolling back to a revision would do: its inventory, planned again, against the live kernel.</summary>
    public async Task<ChangePreview> PreviewRollbackAsync(int revisionId, CancellationToken ct = default) =>
        await PreviewAsync(await RollbackTargetAsync(revisionId, ct), ct);

    public async Task<ApplyResult> ApplyAsync(ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "apply", clock, ct);
        // Read the router while the inventory is planned: two processes and a database query, independent of each other.
        var live = reader.ReadAsync(ct);
        var target = await ApplyTargetAsync(ct);
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
        return await RunAsync(await RollbackTargetAsync(revisionId, ct), request, ct);
    }

    /// <summary>Repairs drift: the last applied revision's rules and addresses go back on the kernel.</summary>
    public async Task<ApplyResult> ReapplyAsync(ApplyRequest request, CancellationToken ct = default)
    {
        request.Actor.EnsureCanEdit();
        await using var _ = await gate.EnterAsync(request.Actor.Name, "re-apply", clock, ct);
        return await RunAsync(await ReapplyTargetAsync(ct), request, ct);
    }

    /// <summary>
    /// Undoes a change that was not confirmed in time: the kernel goes back exactly as the revision's snapshot found it,
    /// and the inventory back to the revision before (when there is one), so the unconfirmed change is not re-applied.
    /// No preview: nobody is there to look at it, which is the point. Callers hold the gate.
    /// </summary>
    internal async Task<ApplyResult> RevertUnconfirmedAsync(Revision unconfirmed, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var previous = await LastInEffectAsync(db, before: unconfirmed.Id, ct);
        var snapshot = await SnapshotOfAsync(db, unconfirmed.Id, ct);
        var current = await inventoryStore.CaptureAsync(db, ct);
        // The inventory goes back too, unless someone edited it during the window: those edits were never applied and
        // would vanish unseen, so then only the kernel goes back and the edits show as pending changes.
        var untouched = current.ToJson() == snapshot.InventoryJson;
        var inventory = previous is not null && untouched ? InventorySnapshot.FromJson((await SnapshotOfAsync(db, previous.Id, ct)).InventoryJson) : current;
        var target = new ApplyTarget(RevisionKind.AutoRollback, OwnedState.FromJson(snapshot.BeforeStateJson), inventory, previous is not null && untouched, unconfirmed.Id);
        return await RunUnattendedAsync(target, reason, ct);
    }

    /// <summary>
    /// The boot-time restore: the last confirmed revision's rules and addresses, never a change still awaiting
    /// confirmation. Returns null when nothing was ever applied.
    /// </summary>
    public async Task<ApplyResult?> RestoreConfirmedAsync(CancellationToken ct = default)
    {
        await using var _ = await gate.EnterAsync(Actor.System.Name, "boot restore", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A change nobody confirmed before the reboot is not brought back; it is recorded as reverted.
        await db.Revisions.Where(r => r.Status == RevisionStatus.AwaitingConfirmation)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RevisionStatus.Reverted)
                .SetProperty(r => r.Outcome, "Not confirmed before the router restarted; the boot-time restore did not load it."), ct);
        var confirmed = await LastInEffectAsync(db, before: null, ct);
        if (confirmed is null) return null;
        var snapshot = await SnapshotOfAsync(db, confirmed.Id, ct);
        var target = new ApplyTarget(RevisionKind.BootRestore, OwnedState.FromJson(snapshot.AfterStateJson), InventorySnapshot.FromJson(snapshot.InventoryJson), false, confirmed.Id);
        var preview = await PreviewAsync(target, ct);
        if (preview.InSync) return new ApplyResult(ApplyResultKind.NothingToDo, $"The router already holds revision {confirmed.Id}.", confirmed.Id);
        return await RunUnattendedAsync(target, $"boot: restore revision {confirmed.Id}", ct);
    }

    internal ApplyGate Gate => gate;

    private static int IndexOf(IReadOnlyList<NatRule> rules, NatRule rule)
    {
        for (var i = 0; i < rules.Count; i++)
            if (rules[i].Equals(rule)) return i;
        return -1;
    }

    public static readonly TimeSpan MinConfirmWindow = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxConfirmWindow = TimeSpan.FromHours(1);

    public sealed record StateCheck(ChangePreview Pending, ChangePreview? Drift, int? BaselineRevisionId);

    /// <summary>
    /// One read of the kernel compared twice: with the inventory (pending changes) and with the last applied revision
    /// (drift). Reading once keeps the background check cheap at 10,000 rules.
    /// </summary>
    public async Task<StateCheck> CheckAsync(CancellationToken ct = default)
    {
        var target = await ApplyTargetAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var baseline = await LastInEffectAsync(db, before: null, ct, includeAwaiting: true);
        var live = await reader.ReadAsync(ct);
        var drift = baseline is null ? null : FirewallDiffer.Compare(await BaselineAsync(db, baseline.Id, ct), live);
        return new StateCheck(FirewallDiffer.Compare(target.Desired, live), drift, baseline?.Id);
    }

    /// <summary>What one apply puts in place: the owned kernel state, and the inventory recorded with it (and restored, for a rollback).</summary>
    private sealed record ApplyTarget(RevisionKind Kind, OwnedState Desired, InventorySnapshot Inventory, bool RestoreInventory, int? TargetRevisionId)
    {
        /// <summary>A hash of the inventory a rollback overwrites, taken when the target is planned.</summary>
        public string? OverwrittenInventoryStamp { get; init; }
    }

    private async Task<ChangePreview> PreviewAsync(ApplyTarget target, CancellationToken ct) =>
        Compare(target, await reader.ReadAsync(ct));

    private static ChangePreview Compare(ApplyTarget target, KernelState live) =>
        FirewallDiffer.Compare(target.Desired, live) with { InventoryStamp = target.OverwrittenInventoryStamp };

    private async Task<ApplyTarget> ApplyTargetAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inventory = await inventoryStore.CaptureAsync(db, ct);
        return new ApplyTarget(RevisionKind.Apply, FirewallPlanner.Plan(inventory), inventory, false, null);
    }

    private async Task<ApplyTarget> RollbackTargetAsync(int revisionId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Revisions.AsNoTracking().SingleOrDefaultAsync(r => r.Id == revisionId, ct)
            ?? throw new Conflict($"Revision {revisionId} does not exist.");
        if (!WasInEffect(revision.Status))
            throw new Conflict($"Revision {revisionId} was never in effect ({revision.Status.Describe()}); roll back to one that was.");
        var inventory = InventorySnapshot.FromJson((await SnapshotOfAsync(db, revisionId, ct)).InventoryJson);
        // A rollback replaces the whole inventory: whatever was edited after its preview would vanish unseen.
        var current = await inventoryStore.CaptureAsync(db, ct);
        return new ApplyTarget(RevisionKind.Rollback, FirewallPlanner.Plan(inventory), inventory, true, revisionId)
        {
            OverwrittenInventoryStamp = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(current.ToJson())))[..16],
        };
    }

    private async Task<ApplyTarget> ReapplyTargetAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var last = await LastInEffectAsync(db, before: null, ct, includeAwaiting: true)
            ?? throw new Conflict("Nothing has been applied yet, so there is nothing to re-apply.");
        return new ApplyTarget(RevisionKind.Reapply, await BaselineAsync(db, last.Id, ct), await inventoryStore.CaptureAsync(db, ct), false, last.Id);
    }

    internal static async Task<RevisionSnapshot> SnapshotOfAsync(AppDbContext db, int revisionId, CancellationToken ct) =>
        await db.RevisionSnapshots.AsNoTracking().SingleAsync(s => s.RevisionId == revisionId, ct);

    private sealed record Baseline(int RevisionId, OwnedState State);

    // A reference swapped whole, so the status monitor and a re-apply never see a revision paired with another's state.
    private volatile Baseline? _baseline;

    /// <summary>
    /// The state a revision put on the kernel, kept parsed for the newest one: the background drift check compares
    /// against it every minute, and at 10,000 rules reading and parsing it each time would cost more than the check.
    /// </summary>
    private async Task<OwnedState> BaselineAsync(AppDbContext db, int revisionId, CancellationToken ct)
    {
        if (_baseline is { } cached && cached.RevisionId == revisionId) return cached.State;
        var state = OwnedState.FromJson(await db.RevisionSnapshots.AsNoTracking().Where(s => s.RevisionId == revisionId).Select(s => s.AfterStateJson).SingleAsync(ct));
        _baseline = new Baseline(revisionId, state);
        return state;
    }

    /// <summary>The newest revision whose state was (or is) in effect on the kernel.</summary>
    internal static async Task<Revision?> LastInEffectAsync(AppDbContext db, int? before, CancellationToken ct, bool includeAwaiting = false) =>
        await db.Revisions.AsNoTracking()
            .Where(r => r.Status == RevisionStatus.Applied || r.Status == RevisionStatus.RevertFailed || (includeAwaiting && r.Status == RevisionStatus.AwaitingConfirmation))
            .Where(r => before == null || r.Id < before)
            .OrderByDescending(r => r.Id)
            .FirstOrDefaultAsync(ct);

    private static bool WasInEffect(RevisionStatus status) =>
        status is RevisionStatus.Applied or RevisionStatus.AwaitingConfirmation or RevisionStatus.Reverted or RevisionStatus.RevertFailed;

    private async Task<ApplyResult> RunUnattendedAsync(ApplyTarget target, string reason, CancellationToken ct)
    {
        var preview = await PreviewAsync(target, ct);
        return await RunAsync(target, new ApplyRequest(Actor.System, reason, preview.Fingerprint), ct);
    }

    private async Task<ApplyResult> RunAsync(ApplyTarget target, ApplyRequest request, CancellationToken ct, KernelState? alreadyRead = null)
    {
        request.Actor.EnsureCanEdit();
        var reason = request.Reason.Trim();
        if (reason.Length == 0)
            return new ApplyResult(ApplyResultKind.Refused, "Say why: a reason is required, so the history explains the change.");
        if (reason.Length > Domain.Limits.ReasonLength || reason.Any(char.IsControl))
            return new ApplyResult(ApplyResultKind.Refused, $"The reason must be one line of at most {Domain.Limits.ReasonLength} characters.");
        if (request.ConfirmWithin is { } window && (window < MinConfirmWindow || window > MaxConfirmWindow))
            return new ApplyResult(ApplyResultKind.Refused, $"A confirmation window must be between {MinConfirmWindow.TotalSeconds:0} seconds and {MaxConfirmWindow.TotalMinutes:0} minutes.");

        Report(ApplyStep.Planning, "Reading the router and planning");
        var desired = target.Desired;
        var live = alreadyRead ?? await reader.ReadAsync(ct);
        var preview = Compare(target, live);
        if (preview.Fingerprint != request.ExpectedFingerprint)
            return new ApplyResult(ApplyResultKind.Refused, new OutdatedPreview().Message);
        if (preview.InSync && !target.RestoreInventory)
            return new ApplyResult(ApplyResultKind.NothingToDo, target.Kind == RevisionKind.Apply
                ? "The router already matches the inventory; nothing was run."
                : "The router already matches; nothing was run.");

        var started = Stopwatch.GetTimestamp();
        Report(ApplyStep.Snapshot, "Saving a snapshot of the current state");
        // What undoing this apply must put back: the owned part as it is, and the hand-written rules it is about to
        // delete, at their places.
        var postrouting = live.Table.RulesOf(OwnedChains.Postrouting);
        var before = live.Owned with
        {
            Reinstated = preview.RetiredPresent.Where(r => r.Chain == OwnedChains.Postrouting)
                .Select(r => new Jump(IndexOf(postrouting, r) + 1, r)).ToArray(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The three snapshots are independent megabytes of JSON at 10,000 rules: write them side by side.
        var beforeJson = Task.Run(() => before.ToJson(), ct);
        var afterJson = Task.Run(() => desired.ToJson(), ct);
        var inventoryJson = Task.Run(() => target.Inventory.ToJson(), ct);
        var revision = new Revision
        {
            Kind = target.Kind,
            Status = RevisionStatus.InProgress,
            Actor = request.Actor.Name,
            Reason = reason,
            RollbackTargetId = target.TargetRevisionId,
            StartedAt = clock.GetUtcNow(),
            Backend = backend.Name,
            Namespace = backend.Namespace,
            RulesAdded = preview.RulesAdded,
            RulesRemoved = preview.RulesRemoved,
            Snapshot = new RevisionSnapshot
            {
                BeforeNatTable = live.NatTableText,
                BeforeStateJson = await beforeJson,
                AfterStateJson = await afterJson,
                InventoryJson = await inventoryJson,
                RestoreScript = preview.RestoreScript,
                CommandsText = string.Join('\n', PlannedCommands.Describe(preview, backend)),
            },
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
            await FinishAsync(db, revision, target, request, started, kernel);
            logger.LogInformation("Revision {Revision} ({Kind}) applied by {Actor}: +{Added} -{Removed}", revision.Id, target.Kind, request.Actor.Name, preview.RulesAdded, preview.RulesRemoved);
            return new ApplyResult(ApplyResultKind.Applied, SuccessMessage(revision, preview), revision.Id);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            logger.LogWarning(failure, "Revision {Revision} failed at {Step}; restoring the snapshot", revision.Id, step);
            var problem = await RestoreSnapshotAsync(before);
            // A fresh context: the failed one may still track what the record step was adding (an inventory, an audit entry).
            await using var failed = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var record = await failed.Revisions.SingleAsync(r => r.Id == revision.Id, CancellationToken.None);
            record.Status = revision.Status = problem is null ? RevisionStatus.Failed : RevisionStatus.FailedNotRestored;
            record.FailedStep = revision.FailedStep = step.Describe();
            // The tool's words for the administrator; a stack trace belongs in the log, not on a page viewers can read.
            record.Error = revision.Error = failure.Message;
            record.Outcome = revision.Outcome = problem ?? "The previous state was restored and verified.";
            record.FinishedAt = revision.FinishedAt = clock.GetUtcNow();
            record.ConntrackEntriesDeleted = revision.ConntrackEntriesDeleted;
            failed.Record(clock, request.Actor.Name, AuditActions.Failed(AuditAction(target.Kind)), $"Revision {revision.Id}", $"{revision.FailedStep}: {revision.Error}");
            await failed.SaveChangesAsync(CancellationToken.None);
            return new ApplyResult(ApplyResultKind.Failed,
                problem is null
                    ? $"The {step.Describe()} step failed, so nothing was changed: {revision.Outcome}"
                    : $"The {step.Describe()} step failed, and the router may be half changed: {problem}",
                revision.Id, revision.FailedStep, revision.Error);
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
        // The conntrack table is read while the rules are: both are reads, and the entries are only acted on once
        // the rules are verified.
        var entries = ListEntriesIfManyAsync(preview.FlowsToReset, ct);
        var (natTable, addresses) = await reader.ReadRawAsync(ct);
        if (!FirewallDiffer.ShowsWantedState(desired, natTable, addresses))
        {
            var check = FirewallDiffer.Compare(desired, LiveStateBuilder.Build(natTable, addresses));
            if (!check.InSync)
                throw new VerificationException(check);
        }
        faults.After(ApplyStep.Verify);

        at(ApplyStep.ResetConntrack);
        var deleted = 0;
        foreach (var flow in WithEntries(preview.FlowsToReset, await entries))
        {
            Report(ApplyStep.ResetConntrack, $"Resetting connection tracking for {flow}");
            deleted += await backend.ResetFlowAsync(flow, ct);
        }
        faults.After(ApplyStep.ResetConntrack);
        return deleted;
    }

    private const int DeleteDirectlyUpTo = 4;

    /// <summary>
    /// Each conntrack -D is a process (10–30 ms), so when many mappings changed (a first apply of thousands of rules)
    /// the table is listed once and only the flows that have entries are deleted. Listing after the restore is enough:
    /// any connection made since then already follows the new rules.
    /// </summary>
    private async Task<IReadOnlyList<(IPAddress Source, IPAddress Destination)>?> ListEntriesIfManyAsync(IReadOnlyList<FlowKey> flows, CancellationToken ct)
    {
        if (flows.Count <= DeleteDirectlyUpTo) return null;
        return (await backend.ListFlowsAsync(ct))
            .Select(e => IPAddress.TryParse(e.Source, out var s) && IPAddress.TryParse(e.Destination, out var d) ? (s, d) : default)
            .Where(e => e.s is not null)
            .ToArray();
    }

    private static IEnumerable<FlowKey> WithEntries(IReadOnlyList<FlowKey> flows, IReadOnlyList<(IPAddress Source, IPAddress Destination)>? entries) =>
        entries is null ? flows : flows.Where(flow => entries.Any(e => flow.Matches(e.Source, e.Destination)));

    private async Task FinishAsync(AppDbContext db, Revision revision, ApplyTarget target, ApplyRequest request, long started, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (target.RestoreInventory)
            await inventoryStore.ReplaceAsync(db, target.Inventory, ct);
        if (target.Kind == RevisionKind.AutoRollback)
        {
            await db.Revisions.Where(r => r.Id == target.TargetRevisionId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Reverted)
                    .SetProperty(r => r.Outcome, $"Not confirmed in time; undone by revision {revision.Id}."), ct);
        }
        else
        {
            // Whatever was awaiting confirmation is superseded: the newer change carries its own confirmation (or none).
            await db.Revisions
                .Where(r => r.Status == RevisionStatus.AwaitingConfirmation && r.Id != revision.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Applied).SetProperty(r => r.ConfirmedBy, request.Actor.Name + " (superseded)"), ct);
        }
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
        db.Record(clock, request.Actor.Name, AuditAction(revision.Kind), $"Revision {revision.Id}", $"{revision.Reason} (+{revision.RulesAdded} −{revision.RulesRemoved})");
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
            var check = FirewallDiffer.Compare(snapshot, await reader.ReadAsync(CancellationToken.None));
            if (!check.InSync)
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

    private static string AuditAction(RevisionKind kind) => kind switch
    {
        RevisionKind.Rollback => AuditActions.Rollback,
        RevisionKind.AutoRollback => AuditActions.RollbackAutomatic,
        RevisionKind.BootRestore => AuditActions.RestoreBoot,
        RevisionKind.Reapply => AuditActions.Reapply,
        RevisionKind.Adopt => AuditActions.Adopt,
        _ => AuditActions.Apply,
    };

    private void Report(ApplyStep step, string description) => gate.Report(new ApplyProgress(step, description));

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

/// <summary>The kernel, read back after the apply, is not what was planned (someone changed it meanwhile, or a tool misbehaved).</summary>
public sealed class VerificationException(ChangePreview difference)
    : Exception("The router, read back after the apply, differs from the plan: "
        + string.Join("; ", difference.Diff.Where(l => l.Kind != DiffKind.Unchanged).Take(5).Select(l => l.Unified.Trim())));
