using RouterAdmin.Data;
using RouterAdmin.Domain;

namespace RouterAdmin.History;

public static class AuditLog
{
    /// <summary>Adds an audit entry to the context, so it is saved in the same transaction as the change it records.</summary>
    public static void Record(this AppDbContext db, TimeProvider clock, string actor, string action, string subject, string? details = null) =>
        db.Audit.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Subject = subject.Length <= Limits.AuditSubjectLength ? subject : subject[..(Limits.AuditSubjectLength - 1)] + "…",
            Details = details,
        });
}
