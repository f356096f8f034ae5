using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>
/// Every connection the console opens waits for a busy database in SQLite's own busy handler. Without it,
/// Microsoft.Data.Sqlite retries a locked write after a fixed 150 ms sleep on a blocked thread: under the load test
/// (ten API clients and twenty pages writing at once) that made page answers wait for seconds.
/// </summary>
public sealed class ConnectionTuningSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_connection_of_the_console_waits_for_the_write_lock_in_SQLite_and_keeps_commits_cheap()
    {
        await using var provider = await CoreServices.OnMigratedFileAsync();
        await using var db = await provider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        await db.Database.OpenConnectionAsync(Ct);

        Assert.Equal(10_000L, await ScalarAsync(db, "PRAGMA busy_timeout;"));
        Assert.Equal(1L, await ScalarAsync(db, "PRAGMA synchronous;")); // NORMAL
    }

    private static async Task<long> ScalarAsync(DbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
