using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Inventory;

namespace RouterAdmin.History;

public sealed record RevisionRow(int Id, DateTimeOffset StartedAt, string Actor, RevisionKind Kind, RevisionStatus Status, string Reason, int RulesAdded, int RulesRemoved, int? RollbackTargetId, DateTimeOffset? ConfirmDeadline);

/// <summary>Reads the history: revisions (applies and rollbacks) and the audit log.</summary>
public sealed class HistoryService(IDbContextFactory<AppDbContext> dbFactory)
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

    public async Task<Revision?> GetRevisionAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().Include(r => r.Snapshot).SingleOrDefaultAsync(r => r.Id == id, ct);
    }

    public async Task<Revision?> GetLastAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Revisions.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
    }

    public async Task<Page<AuditEntry>> GetAuditAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Audit.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = $"%{request.Search.Trim()}%";
            query = query.Where(a => EF.Functions.Like(a.Actor, term) || EF.Functions.Like(a.Action, term) || EF.Functions.Like(a.Subject, term) || (a.Details != null && EF.Functions.Like(a.Details, term)));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.Id).Skip(request.Skip).Take(request.PageSize).ToListAsync(ct);
        return new Page<AuditEntry>(rows, total);
    }
}
