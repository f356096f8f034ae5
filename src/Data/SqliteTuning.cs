using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RouterAdmin.Data;

/// <summary>
/// synchronous=NORMAL on every connection (it is per connection, not stored in the file). In WAL mode this keeps the
/// database consistent through a crash or a power cut and skips the fsync on each commit; what a power cut can lose is
/// the last few commits, and the kernel loses its rules with the same power cut, after which the boot-time restore puts
/// back the last confirmed revision that did reach the disk. A process that dies keeps everything it committed.
/// busy_timeout (also per connection): a write that finds another's transaction waits in SQLite's own busy handler,
/// which retries within milliseconds of the lock's release. Without it Microsoft.Data.Sqlite retries after a fixed
/// 150 ms sleep on a blocked thread, and under the load test (thirty people writing at once) page answers waited seconds.
/// </summary>
/// <remarks>
/// SQLite opens the file read-only when its file system is read-only, and such a connection stays read-only after the
/// file system is writable again: it is not pooled (clearing the pool disposes it when it closes), so the first
/// connection after a remount read-write can write.
/// </remarks>
internal sealed class SqliteTuning : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        NotPooledIfReadOnly(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        NotPooledIfReadOnly(connection);
    }

    private static void NotPooledIfReadOnly(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle } sqlite && SQLitePCL.raw.sqlite3_db_readonly(handle, "main") == 1)
            SqliteConnection.ClearPool(sqlite);
    }
}
