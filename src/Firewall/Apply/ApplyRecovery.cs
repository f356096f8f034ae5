using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.History;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// Finishes the story of an apply the process did not live to finish. A revision still "in progress" at start-up means
/// the process died mid-apply. The backend's transaction is atomic, so the rules are either the old ones or the new
/// ones; the addresses may be half done. Whatever was found, the previous state is put back, the revision says which
/// state the kernel was in, and the administrator re-applies knowingly. A half-finished change is never completed
/// without a person, because nobody confirmed that it works.
/// </summary>
public sealed class ApplyRecovery(
    IDbContextFactory<AppDbContext> dbFactory, ApplyGate gate, RevisionStore revisions, KernelTransaction kernel,
    IFirewallBackend backend, TimeProvider clock, ILogger<ApplyRecovery> logger)
{
    public async Task<int> RecoverAsync(CancellationToken ct)
    {
        // Holding the gate (and its lock file) first means no other process is applying: whatever is still "in
        // progress" after that belongs to a process that died.
        await using var _ = await gate.EnterAsync("system", "recovery", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var interrupted = await db.Revisions.Where(r => r.Status == RevisionStatus.InProgress).OrderBy(r => r.Id).ToListAsync(ct);
        if (interrupted.Count == 0) return 0;

        foreach (var revision in interrupted)
        {
            var snapshot = await revisions.SnapshotOfAsync(revision.Id, ct);
            var before = backend.Load(snapshot.BeforeStateJson);
            var after = backend.Load(snapshot.AfterStateJson);
            var live = await backend.ReadAsync(ct);
            var toAfter = backend.Compare(after, live);
            var found = toAfter.InSync ? "the new state (the apply had completed in the kernel)"
                : !backend.Compare(before, live).RulesChange ? "the previous rules"
                : !toAfter.RulesChange ? "the new rules, with addresses half changed"
                : "neither the previous nor the new state";
            var problem = await kernel.RestoreAsync(before);
            revision.Status = RevisionStatus.Interrupted;
            revision.FinishedAt = clock.GetUtcNow();
            revision.FailedStep = "interrupted";
            revision.Error = "The service stopped during this apply.";
            revision.Outcome = $"At restart the router held {found}; the previous state was put back" + (problem is null ? " and verified." : $", but: {problem}");
            db.Record(clock, "system", AuditActions.ApplyInterrupted, $"Revision {revision.Id}", revision.Outcome);
            logger.LogWarning("Revision {Revision} was interrupted: {Outcome}", revision.Id, revision.Outcome);
        }
        await db.SaveChangesAsync(ct);
        return interrupted.Count;
    }
}
