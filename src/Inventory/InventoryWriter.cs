using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>
/// The one way the inventory services save a change: its audit entry goes in the same SaveChanges, a unique index's
/// refusal becomes the refusal the caller names, and every successful save raises the change notification.
/// </summary>
public sealed class InventoryWriter(TimeProvider clock, InventoryChanges changes)
{
    internal DateTimeOffset Now => clock.GetUtcNow();

    internal void Audit(AppDbContext db, Actor actor, string action, string subject, string? details) =>
        db.Record(clock, actor.Name, action, subject, details);

    internal Task SaveAsync(AppDbContext db, CancellationToken ct) => SaveAsync(db, onUniqueViolation: null, ct);

    /// <summary>Saves; a unique violation is refused as a field error that keeps what was typed.</summary>
    internal Task SaveUniqueAsync(AppDbContext db, string field, string message, CancellationToken ct) =>
        SaveAsync(db, _ => InvalidInput.For(field, message), ct);

    internal async Task SaveAsync(AppDbContext db, Func<DbUpdateException, Exception>? onUniqueViolation, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (onUniqueViolation is not null && SqliteErrors.IsUniqueViolation(e))
        {
            throw onUniqueViolation(e);
        }
        await changes.NotifyAsync();
    }
}
