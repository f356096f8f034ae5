using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// Finishes the story of an apply the process did not live to finish. A revision still "in progress" at start-up means
/// the process died mid-apply. iptables-restore is one kernel transaction, so the rules are either the old ones or the
/// new ones; the addresses may be half done. Whatever was found, the previous state is put back, the revision says
/// which state the kernel was in, and the administrator re-applies knowingly. A half-finished change is never completed
/// without a person, because nobody confirmed that it works.
/// </summary>
public sealed class ApplyRecovery(IDbContextFactory<AppDbContext> dbFactory, ApplyEngine engine, LiveStateReader reader, TimeProvider clock, ILogger<ApplyRecovery> logger)
{
    public async Task<int> RecoverAsync(CancellationToken ct)
    {
        // Holding the gate (and its lock file) first means no other process is applying: whatever is still "in
        // progress" after that belongs to a process that died.
        await using var _ = await engine.Gate.EnterAsync("system", "recovery", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var interrupted = await db.Revisions.Where(r => r.Status == RevisionStatus.InProgress).OrderBy(r => r.Id).ToListAsync(ct);
        if (interrupted.Count == 0) return 0;

        foreach (var revision in interrupted)
        {
            var snapshot = await ApplyEngine.SnapshotOfAsync(db, revision.Id, ct);
            var before = OwnedState.FromJson(snapshot.BeforeStateJson);
            var after = OwnedState.FromJson(snapshot.AfterStateJson);
            var live = await reader.ReadAsync(ct);
            var found = live.Owned.IsEquivalentTo(after) ? "the new state (the apply had completed in the kernel)"
                : SameRules(live.Owned, before) ? "the previous rules"
                : SameRules(live.Owned, after) ? "the new rules, with addresses half changed"
                : "neither the previous nor the new state";
            var problem = await engine.RestoreSnapshotAsync(before);
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

    private static bool SameRules(OwnedState a, OwnedState b) =>
        a.ChainsExist == b.ChainsExist && a.Jumps.SequenceEqual(b.Jumps) && a.SnatRules.SequenceEqual(b.SnatRules) && a.MasqueradeRules.SequenceEqual(b.MasqueradeRules);
}
