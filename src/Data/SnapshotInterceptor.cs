using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using RouterAdmin.History;
using RouterAdmin.History.Storage;

namespace RouterAdmin.Data;

/// <summary>
/// Keeps <see cref="RevisionSnapshot"/> a plain record of texts for everyone who reads or writes one, while the
/// database keeps manifests of shared, compressed chunks (<see cref="SnapshotStorage"/>): a snapshot being inserted has
/// its texts stored as chunks first, in the same transaction, and a snapshot read from the database gets its texts back
/// as it is materialized. Registered by <see cref="AppDbContext"/> itself, so every context has it.
/// </summary>
internal sealed class SnapshotInterceptor : ISaveChangesInterceptor, IMaterializationInterceptor
{
    public static readonly SnapshotInterceptor Instance = new();

    // The transaction this interceptor began for a SaveChanges that had none, so the chunks and the row commit together.
    private readonly ConditionalWeakTable<DbContext, IDbContextTransaction> _own = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) StoreAdded(context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs its "async" commands synchronously anyway.
        if (eventData.Context is { } context) StoreAdded(context);
        return ValueTask.FromResult(result);
    }

    private void StoreAdded(DbContext context)
    {
        var added = context.ChangeTracker.Entries<RevisionSnapshot>().Where(e => e.State == EntityState.Added).ToArray();
        if (added.Length == 0) return;
        if (context.Database.CurrentTransaction is null) _own.AddOrUpdate(context, context.Database.BeginTransaction());
        var connection = context.Database.GetDbConnection();
        var transaction = context.Database.CurrentTransaction!.GetDbTransaction();
        foreach (var entry in added)
        {
            var manifests = SnapshotStorage.Store(connection, transaction, SnapshotStorage.TextsOf(entry.Entity));
            for (var i = 0; i < manifests.Length; i++)
                entry.Property(SnapshotStorage.ManifestColumns[i]).CurrentValue = manifests[i];
        }
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context && _own.TryGetValue(context, out var transaction))
        {
            _own.Remove(context);
            using (transaction) transaction.Commit();
        }
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && _own.TryGetValue(context, out var transaction))
        {
            _own.Remove(context);
            await using (transaction) await transaction.CommitAsync(cancellationToken);
        }
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => RollBack(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        RollBack(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => RollBack(eventData.Context);

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        RollBack(eventData.Context);
        return Task.CompletedTask;
    }

    private void RollBack(DbContext? context)
    {
        if (context is null || !_own.TryGetValue(context, out var transaction)) return;
        _own.Remove(context);
        transaction.Dispose();
    }

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (entity is RevisionSnapshot snapshot)
        {
            var database = materializationData.Context.Database;
            var manifests = SnapshotStorage.ManifestColumns.Select(c => materializationData.GetPropertyValue<string>(c)).ToArray();
            SnapshotStorage.SetTexts(snapshot, SnapshotStorage.Load(database.GetDbConnection(), database.CurrentTransaction?.GetDbTransaction(), manifests));
        }
        return entity;
    }
}
