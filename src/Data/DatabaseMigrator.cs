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
        // WAL lets readers (the pages) run while a writer (an apply recording its revision) works.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
