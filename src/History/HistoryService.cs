using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Inventory;

namespace RouterAdmin.History;

/// <summary>A revision as the pages show it, without its snapshot.</summary>
public sealed record RevisionView(
    int Id, RevisionKind Kind, RevisionStatus Status, string Actor, string Reason, int? RollbackTargetId,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Backend, string? Namespace,
    string? FailedStep, string? Error, string? Outcome,
    DateTimeOffset? ConfirmDeadline, DateTimeOffset? ConfirmedAt, string? ConfirmedBy,
    int RulesAdded, int RulesRemoved, int ConntrackEntriesDeleted)
{
    public static RevisionView Of(Revision r) => new(r.Id, r.Kind, r.Status, r.Actor, r.Reason, r.RollbackTargetId, r.StartedAt, r.FinishedAt,
        r.Backend, r.Namespace, r.FailedStep, r.Error, r.Outcome, r.ConfirmDeadline, r.ConfirmedAt, r.ConfirmedBy, r.RulesAdded, r.RulesRemoved, r.ConntrackEntriesDeleted);
}

/// <summary>A revision in full for its page: the diff it made (derived from its snapshot), its commands and transaction, the router before.</summary>
public sealed record RevisionDetails(RevisionView Revision, IReadOnlyList<DiffLine> Diff, IReadOnlyList<string> Commands, string Transaction, string RouterBefore);

/// <summary>One audit entry as the history page shows it.</summary>
public sealed record AuditRow(long Id, DateTimeOffset At, string Actor, string Action, string Subject, string? Details);

public sealed record RevisionRow(int Id, DateTimeOffset StartedAt, string Actor, RevisionKind Kind, RevisionStatus Status, string Reason, int RulesAdded, int RulesRemoved, int? RollbackTargetId, DateTimeOffset? ConfirmDeadline);

/// <summary>Reads the history: revisions (applies and rollbacks) and the audit log.</summary>
public sealed class HistoryService(IDbContextFactory<AppDbContext> dbFactory, InventoryStore inventoryStore, Firewall.Backends.IFirewallBackend backend)
{
    public async Task<Page<RevisionRow>> GetRevisionsAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Revisions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = $"%{request.Search.Trim()}%";
            query = query.Where(r => EF.Functions.Like(r.Reason, term) || EF.Functions.Like(r.Actor, term));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.Id).Skip(request.Skip).Take(request.PageSize)
            .Select(r => new RevisionRow(r.Id, r.StartedAt, r.Actor, r.Kind, r.Status, r.Reason, r.RulesAdded, r.RulesRemoved, r.RollbackTargetId, r.ConfirmDeadline))
            .ToListAsync(ct);
        return new Page<RevisionRow>(rows, total);
    }

    public async Task<RevisionView?> GetRevisionAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().Where(r => r.Id == id).Select(r => RevisionView.Of(r)).SingleOrDefaultAsync(ct);
    }

    /// <summary>A revision with its diff, worked out here once rather than in the page's circuit.</summary>
    public async Task<RevisionDetails?> GetDetailsAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revision = await db.Revisions.AsNoTracking().Include(r => r.Snapshot).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (revision is null) return null;
        var snapshot = revision.Snapshot;
        // The diff is derived from the snapshot (what the kernel held) and the wanted state, not stored twice.
        var diff = await Task.Run(() => RevisionDiff.Of(snapshot, backend), ct);
        return new RevisionDetails(RevisionView.Of(revision), diff, snapshot.CommandsText.Split('\n', StringSplitOptions.RemoveEmptyEntries), snapshot.RestoreScript, snapshot.BeforeNatTable);
    }

    /// <summary>What rolling back to a revision does to the inventory, in words: its inventory against today's.</summary>
    public async Task<IReadOnlyList<string>> InventoryChangesBackToAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var json = await Storage.SnapshotStorage.LoadTextAsync(db, id, Storage.SnapshotStorage.InventoryColumn, ct);
        return json is null ? [] : InventoryComparer.Describe(await inventoryStore.CaptureAsync(db, ct), InventorySnapshot.FromJson(json));
    }

    public async Task<RevisionView?> GetLastAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().OrderByDescending(r => r.Id).Select(r => RevisionView.Of(r)).FirstOrDefaultAsync(ct);
    }

    public async Task<Page<AuditRow>> GetAuditAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Audit.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = $"%{request.Search.Trim()}%";
            query = query.Where(a => EF.Functions.Like(a.Actor, term) || EF.Functions.Like(a.Action, term) || EF.Functions.Like(a.Subject, term) || (a.Details != null && EF.Functions.Like(a.Details, term)));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.Id).Skip(request.Skip).Take(request.PageSize)
            .Select(a => new AuditRow(a.Id, a.At, a.Actor, a.Action, a.Subject, a.Details)).ToListAsync(ct);
        return new Page<AuditRow>(rows, total);
    }
}
