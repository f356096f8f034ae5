using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace RouterAdmin.Data;

/// <summary>What a refused SQLite write means, read from the error in one place.</summary>
public static class SqliteErrors
{
    /// <summary>SQLITE_CONSTRAINT: a unique index (or another constraint) refused the row.</summary>
    public const int Constraint = 19;

    public static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is SqliteException { SqliteErrorCode: Constraint };

    /// <summary>Whether the refused unique index covers <paramref name="column"/> (SQLite names the columns in its message).</summary>
    public static bool Names(DbUpdateException e, string column) =>
        e.InnerException?.Message.Contains(column, StringComparison.Ordinal) == true;
}
