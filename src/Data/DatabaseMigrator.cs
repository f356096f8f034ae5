using Microsoft.EntityFrameworkCore;

namespace RouterAdmin.Data;

/// <summary>
/// Brings the database schema up to date with EF Core migrations before anything else runs, never a schema made from
/// the model alone: a router's configuration must survive upgrades of the console.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var file = db.Database.GetDbConnection().DataSource;
        if (!string.IsNullOrEmpty(file) && file != ":memory:")
            DataFolderPermissions.Secure(file, services.GetService<ILoggerFactory>()?.CreateLogger(typeof(DataFolderPermissions)));
        await db.Database.MigrateAsync(ct);
        await UseIncrementalVacuumAsync(db, ct);
        // WAL lets readers (the pages) run while a writer (an apply recording its revision) works.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>
    /// auto_vacuum=INCREMENTAL, so the pages the history retention frees go back to the file system with a quick
    /// <c>PRAGMA incremental_vacuum</c> (<see cref="History.HistoryRetention"/>) instead of a VACUUM that rewrites the
    /// whole file under an exclusive lock. A database made before this setting, or by the migrations (whose first table
    /// exists before this runs), gets it with one VACUUM, here, once: that VACUUM also returns the space the old,
    /// uncompressed snapshots took. SQLite cannot change auto_vacuum in WAL mode, hence the switch to DELETE around it.
    /// </summary>
    private static async Task UseIncrementalVacuumAsync(AppDbContext db, CancellationToken ct)
    {
        const long Incremental = 2;
        if (await db.Database.SqlQueryRaw<long>("""SELECT "auto_vacuum" AS "Value" FROM pragma_auto_vacuum""").SingleAsync(ct) == Incremental) return;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE;", ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA auto_vacuum=INCREMENTAL;", ct);
            await db.Database.ExecuteSqlRawAsync("VACUUM;", ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
