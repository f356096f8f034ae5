using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RouterAdmin.History.Storage;

namespace RouterAdmin.Data;

/// <summary>
/// SQL functions the CompactHistory migration converts the old snapshot texts with, inside its own transaction:
/// <c>routeradmin_sha256(text)</c> and <c>routeradmin_brotli(text)</c>, the hash and the compression the snapshot
/// chunks use (<see cref="SnapshotStorage"/>). Registered on every connection an <see cref="AppDbContext"/> opens.
/// </summary>
internal sealed class SqliteFunctions : DbConnectionInterceptor
{
    public static readonly SqliteFunctions Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Register(connection);
        return Task.CompletedTask;
    }

    private static void Register(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite) return;
        sqlite.CreateFunction("routeradmin_sha256", (string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text)), isDeterministic: true);
        sqlite.CreateFunction("routeradmin_brotli", (string text) => SnapshotStorage.Compress(Encoding.UTF8.GetBytes(text)), isDeterministic: true);
    }
}
