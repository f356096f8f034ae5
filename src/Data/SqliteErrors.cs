using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Refusals;

namespace RouterAdmin.Data;

/// <summary>What a refused SQLite write means, read from the error in one place.</summary>
public static class SqliteErrors
{
    /// <summary>SQLITE_CONSTRAINT: a unique index (or another constraint) refused the row.</summary>
    public const int Constraint = 19;

    /// <summary>SQLITE_READONLY: the file (or its file system) cannot be written.</summary>
    public const int ReadOnly = 8;

    /// <summary>SQLITE_FULL: the file system has no space left for the write.</summary>
    public const int Full = 13;

    public static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is SqliteException { SqliteErrorCode: Constraint };

    /// <summary>Whether the refused unique index covers <paramref name="column"/> (SQLite names the columns in its message).</summary>
    public static bool Names(DbUpdateException e, string column) =>
        e.InnerException?.Message.Contains(column, StringComparison.Ordinal) == true;

    /// <summary>
    /// The disk, not the request, refused the write: a full or read-only file system, as a refusal that says so. A
    /// connection SQLite opened while the file system was read-only stays read-only after it is writable again, so on
    /// that fault the pool is emptied: the next connection opens the file read-write if it can.
    /// </summary>
    public static StorageUnavailable? StorageFault(Exception failure, SqliteConnection connection)
    {
        var refusal = StorageFault(failure, connection.DataSource);
        if (refusal?.Fault == Refusals.StorageFault.ReadOnly) SqliteConnection.ClearPool(connection);
        return refusal;
    }

    private static StorageUnavailable? StorageFault(Exception failure, string databaseFile)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is StorageUnavailable already) return already;
            if (e is not SqliteException sqlite) continue;
            // The primary code in the low byte: SQLITE_READONLY_DBMOVED and the like are read-only too.
            var fault = (sqlite.SqliteExtendedErrorCode & 0xFF) switch
            {
                Full => Refusals.StorageFault.DiskFull,
                ReadOnly => Refusals.StorageFault.ReadOnly,
                _ => (Refusals.StorageFault?)null,
            };
            if (fault is { } known) return new StorageUnavailable(known, Path.GetDirectoryName(Path.GetFullPath(databaseFile)) ?? databaseFile);
        }
        return null;
    }
}
