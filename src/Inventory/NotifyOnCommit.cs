using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace RouterAdmin.Inventory;

/// <summary>
/// Announces a whole-inventory replace made in a caller's transaction once that transaction commits, so neither the
/// apply engine nor the import has to remember to. Registered on every context (<see cref="InventoryRegistration"/>);
/// a replace in a context without it is refused rather than left unannounced.
/// </summary>
public sealed class NotifyOnCommit : DbTransactionInterceptor
{
    public static NotifyOnCommit Instance { get; } = new();

    private static readonly ConditionalWeakTable<DbContext, InventoryChanges> Pending = new();

    private NotifyOnCommit() { }

    internal static void Enlist(DbContext db, InventoryChanges changes)
    {
        var interceptors = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors ?? [];
        if (!interceptors.Contains(Instance))
            throw new InvalidOperationException($"This DbContext was built without {nameof(NotifyOnCommit)}; register it with {nameof(InventoryRegistration.AddInventoryInterceptors)}.");
        Pending.AddOrUpdate(db, changes);
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Take(eventData.Context) is { } changes) await changes.NotifyAsync();
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        // A synchronous commit cannot wait for the subscribers; they are told all the same.
        if (Take(eventData.Context) is { } changes) _ = changes.NotifyAsync();
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Take(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Take(eventData.Context);

    private static InventoryChanges? Take(DbContext? db) =>
        db is not null && Pending.TryGetValue(db, out var changes) && Pending.Remove(db) ? changes : null;
}
