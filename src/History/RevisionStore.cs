using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends;

namespace RouterAdmin.History;

/// <summary>What a revision keeps when it is written: the router as found (its text), the wanted and undo states, the inventory, the commands.</summary>
public sealed record RevisionRecord(
    RevisionKind Kind,
    string Actor,
    string Reason,
    int? TargetRevisionId,
    ILiveFirewall Live,
    IOwnedFirewall Undo,
    IOwnedFirewall Desired,
    Inventory.InventorySnapshot Inventory,
    string Transaction,
    IReadOnlyList<string> Commands,
    int LinesAdded,
    int LinesRemoved);

/// <summary>How a change that worked is recorded.</summary>
public sealed record Completion(string AuditAction, TimeSpan Elapsed, TimeSpan? ConfirmWithin, Inventory.InventorySnapshot? RestoreInventory, int? Reverts);

/// <summary>
/// The revisions' one way in and out: written before anything runs, finished or failed after, their snapshots loaded,
/// and the newest in effect found. The engine, recovery, confirmations and import all go through here.
/// </summary>
public sealed class RevisionStore(IDbContextFactory<AppDbContext> dbFactory, Inventory.InventoryStore inventoryStore, IFirewallBackend backend, TimeProvider clock)
{
    /// <summary>A new revision with its snapshot, not yet saved: the one place a revision is put together.</summary>
    public async Task<Revision> NewAsync(RevisionRecord record, RevisionStatus status, CancellationToken ct)
    {
        // The snapshots are independent megabytes of text at 10,000 rules: write them side by side, on both cores.
        var inventory = Task.Run(record.Inventory.ToJson, ct);
        var liveText = Task.Run(() => record.Live.Text, ct);
        var undo = Task.Run(record.Undo.ToJson, ct);
        var desired = ReferenceEquals(record.Undo, record.Desired) ? undo : Task.Run(record.Desired.ToJson, ct);
        var now = clock.GetUtcNow();
        return new Revision
        {
            Kind = record.Kind,
            Status = status,
            Actor = record.Actor,
            Reason = record.Reason,
            RollbackTargetId = record.TargetRevisionId,
            StartedAt = now,
            FinishedAt = status == RevisionStatus.InProgress ? null : now,
            Backend = backend.Name,
            Namespace = backend.Namespace,
            RulesAdded = record.LinesAdded,
            RulesRemoved = record.LinesRemoved,
            Snapshot = new RevisionSnapshot
            {
                BeforeNatTable = await liveText,
                BeforeStateJson = await undo,
                AfterStateJson = await desired,
                InventoryJson = await inventory,
                RestoreScript = record.Transaction,
                CommandsText = string.Join('\n', record.Commands),
            },
        };
    }

    /// <summary>Writes a revision "in progress" before the kernel is touched: after a crash, that is what recovery finds.</summary>
    public async Task<Revision> BeginAsync(RevisionRecord record, CancellationToken ct)
    {
        var revision = await NewAsync(record, RevisionStatus.InProgress, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Revisions.Add(revision);
        await db.SaveChangesAsync(ct);
        return revision;
    }

    /// <summary>
    /// The record step of a change that worked, in one database transaction: the revision's outcome, the inventory put
    /// back (for a rollback), the revision an automatic rollback undid marked reverted (or, for any other change, a
    /// change still awaiting confirmation superseded), and the audit entry. <paramref name="beforeCommit"/> runs last.
    /// </summary>
    public async Task CompleteAsync(Revision revision, Completion completion, Action beforeCommit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Attach(revision);
        // Counted by the kernel steps after the revision was written, so attaching does not see it as a change.
        db.Entry(revision).Property(r => r.ConntrackEntriesDeleted).IsModified = true;
        if (completion.RestoreInventory is { } inventory)
            await inventoryStore.ReplaceAsync(db, inventory, ct);
        if (completion.Reverts is { } reverted)
        {
            await db.Revisions.Where(r => r.Id == reverted)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Reverted)
                    .SetProperty(r => r.Outcome, $"Not confirmed in time; undone by revision {revision.Id}."), ct);
        }
        else
        {
            // Whatever was awaiting confirmation is superseded: the newer change carries its own confirmation (or none).
            await db.Revisions
                .Where(r => r.Status == RevisionStatus.AwaitingConfirmation && r.Id != revision.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Applied).SetProperty(r => r.ConfirmedBy, revision.Actor + " (superseded)"), ct);
        }
        revision.FinishedAt = clock.GetUtcNow();
        if (completion.ConfirmWithin is { } window)
        {
            revision.Status = RevisionStatus.AwaitingConfirmation;
            revision.ConfirmDeadline = revision.FinishedAt + window;
            revision.Outcome = $"Applied; rolled back automatically unless confirmed by {revision.ConfirmDeadline:u}.";
        }
        else
        {
            revision.Status = RevisionStatus.Applied;
            revision.Outcome = $"Applied and verified in {completion.Elapsed.TotalMilliseconds:0} ms.";
        }
        db.Record(clock, revision.Actor, completion.AuditAction, $"Revision {revision.Id}", $"{revision.Reason} (+{revision.RulesAdded} −{revision.RulesRemoved})");
        await db.SaveChangesAsync(ct);
        beforeCommit();
        await transaction.CommitAsync(ct);
    }

    /// <summary>Records a failed revision and its audit entry; never cancelled, the kernel work behind it is done.</summary>
    public async Task FailAsync(Revision revision, string auditAction, CancellationToken ct = default)
    {
        // A fresh context: the failed one may still track what the record step was adding (an inventory, an audit entry).
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Revisions.SingleAsync(r => r.Id == revision.Id, ct);
        stored.Status = revision.Status;
        stored.FailedStep = revision.FailedStep;
        stored.Error = revision.Error;
        stored.Outcome = revision.Outcome;
        stored.FinishedAt = revision.FinishedAt = clock.GetUtcNow();
        stored.ConntrackEntriesDeleted = revision.ConntrackEntriesDeleted;
        db.Record(clock, revision.Actor, auditAction, $"Revision {revision.Id}", $"{revision.FailedStep}: {revision.Error}");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>"Confirm": the change stays. Refused when the revision is not awaiting confirmation (any more).</summary>
    public async Task ConfirmAsync(int revisionId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Revisions.SingleOrDefaultAsync(r => r.Id == revisionId, ct)
            ?? throw new Refusals.Conflict($"Revision {revisionId} does not exist.");
        if (revision.Status != RevisionStatus.AwaitingConfirmation)
            throw new Refusals.Conflict($"Revision {revisionId} is not awaiting confirmation any more ({revision.Status.Describe()}).");
        revision.Status = RevisionStatus.Applied;
        revision.ConfirmedAt = clock.GetUtcNow();
        revision.ConfirmedBy = actor;
        revision.Outcome = $"Applied and confirmed by {actor}.";
        db.Record(clock, actor, AuditActions.ApplyConfirm, $"Revision {revisionId}", revision.Reason);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Ends the confirmation window of a change whose automatic rollback did not run: reverted when the router already
    /// held the previous state, otherwise still in effect and marked so. Returns the status it ended in, or null when
    /// the revision was no longer awaiting confirmation.
    /// </summary>
    public async Task<RevisionStatus?> SettleUnconfirmedAsync(int revisionId, bool reverted, string outcome, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Revisions.SingleAsync(r => r.Id == revisionId, ct);
        if (revision.Status != RevisionStatus.AwaitingConfirmation) return null;
        revision.Status = reverted ? RevisionStatus.Reverted : RevisionStatus.RevertFailed;
        revision.Outcome = outcome;
        db.Record(clock, Security.Actor.System.Name, reverted ? AuditActions.RollbackAutomatic : AuditActions.Failed(AuditActions.RollbackAutomatic), $"Revision {revisionId}", outcome);
        await db.SaveChangesAsync(ct);
        return revision.Status;
    }

    public async Task<Revision?> FindAsync(int revisionId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().SingleOrDefaultAsync(r => r.Id == revisionId, ct);
    }

    public async Task<IReadOnlyList<Revision>> WithStatusAsync(RevisionStatus status, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().Where(r => r.Status == status).OrderBy(r => r.Id).ToListAsync(ct);
    }

    public async Task<RevisionSnapshot> SnapshotOfAsync(int revisionId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.RevisionSnapshots.AsNoTracking().SingleAsync(s => s.RevisionId == revisionId, ct);
    }

    /// <summary>The newest revision whose state was (or is) in effect on the kernel.</summary>
    public async Task<Revision?> LastInEffectAsync(int? before, bool includeAwaiting, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking()
            .Where(r => r.Status == RevisionStatus.Applied || r.Status == RevisionStatus.RevertFailed || (includeAwaiting && r.Status == RevisionStatus.AwaitingConfirmation))
            .Where(r => before == null || r.Id < before)
            .OrderByDescending(r => r.Id)
            .FirstOrDefaultAsync(ct);
    }

    public static bool WasInEffect(RevisionStatus status) =>
        status is RevisionStatus.Applied or RevisionStatus.AwaitingConfirmation or RevisionStatus.Reverted or RevisionStatus.RevertFailed;

    private sealed record Baseline(int RevisionId, IOwnedFirewall State);

    // A reference swapped whole, so the status monitor and a re-apply never see a revision paired with another's state.
    private volatile Baseline? _baseline;

    /// <summary>
    /// The state a revision put on the kernel, kept parsed for the newest one: the background drift check compares
    /// against it every minute, and at 10,000 rules reading and parsing it each time would cost more than the check.
    /// </summary>
    public async Task<IOwnedFirewall> StateAfterAsync(int revisionId, CancellationToken ct)
    {
        if (_baseline is { } cached && cached.RevisionId == revisionId) return cached.State;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var json = await Storage.SnapshotStorage.LoadTextAsync(db, revisionId, Storage.SnapshotStorage.AfterStateColumn, ct)
            ?? throw new InvalidOperationException($"Revision {revisionId} has no snapshot.");
        var state = backend.Load(json);
        _baseline = new Baseline(revisionId, state);
        return state;
    }
}
