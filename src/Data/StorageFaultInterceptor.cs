using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RouterAdmin.Data;

/// <summary>
/// A write the disk refused (full, read-only) becomes a <see cref="Refusals.StorageUnavailable"/> where it happens, for
/// every statement and every commit, so each page and the API tell the administrator what is wrong with the disk the
/// way they tell any other refusal. <see cref="AppDbContext"/> unwraps it from SaveChanges' DbUpdateException.
/// </summary>
internal sealed class StorageFaultInterceptor : IDbCommandInterceptor, IDbTransactionInterceptor
{
    public static readonly StorageFaultInterceptor Instance = new();

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        ThrowIfStorage(eventData.Exception, command.Connection);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfStorage(eventData.Exception, command.Connection);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        ThrowIfStorage(eventData.Exception, transaction.Connection ?? eventData.Context?.Database.GetDbConnection());

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfStorage(eventData.Exception, transaction.Connection ?? eventData.Context?.Database.GetDbConnection());
        return Task.CompletedTask;
    }

    private static void ThrowIfStorage(Exception failure, DbConnection? connection)
    {
        if (connection is SqliteConnection sqlite && SqliteErrors.StorageFault(failure, sqlite) is { } refusal)
            throw refusal;
    }
}
