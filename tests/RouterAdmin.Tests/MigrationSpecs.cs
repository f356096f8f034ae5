using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RouterAdmin.Data;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>A router's saved configuration and history survive an upgrade of the console: every migration keeps the data.</summary>
public sealed class MigrationSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upgrading_a_database_from_before_revision_snapshots_keeps_every_revisions_texts_and_the_inventory()
    {
        var folder = TestDatabase.NewFolder();
        var file = Path.Combine(folder, "routeradmin.db");
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>().UseSqlite(DatabaseOptions.ConnectionString(file)).Options;
            await using (var db = new AppDbContext(options))
            {
                await db.GetService<IMigrator>().MigrateAsync("RetiredRules", Ct);
                // A revision and a client as the previous version of the console wrote them (braces doubled for the SQL formatter).
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO "Clients" ("Name", "LanAddress", "Enabled") VALUES ('Alice', 3232235778, 1);
                    INSERT INTO "Revisions" ("Kind", "Status", "Actor", "Reason", "StartedAt", "Backend", "DiffText", "RestoreScript", "CommandsText",
                        "BeforeStateJson", "AfterStateJson", "BeforeNatTable", "InventoryJson", "RulesAdded", "RulesRemoved", "ConntrackEntriesDeleted")
                    VALUES ('Apply', 'Applied', 'ada', 'before the upgrade', 0, 'simulated', '+ x', '*nat COMMIT', 'iptables-restore',
                        '{{"before":1}}', '{{"after":1}}', '*nat :POSTROUTING ACCEPT [0:0] COMMIT', '{{"inventory":1}}', 1, 0, 0);
                    """, Ct);
            }

            await using (var db = new AppDbContext(options))
            {
                await db.Database.MigrateAsync(Ct);

                Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
                var revision = await db.Revisions.Include(r => r.Snapshot).SingleAsync(Ct);
                Assert.Equal("before the upgrade", revision.Reason);
                Assert.Equal(("*nat COMMIT", "iptables-restore", "{\"before\":1}", "{\"after\":1}", "{\"inventory\":1}"),
                    (revision.Snapshot.RestoreScript, revision.Snapshot.CommandsText, revision.Snapshot.BeforeStateJson, revision.Snapshot.AfterStateJson, revision.Snapshot.InventoryJson));
                Assert.StartsWith("*nat", revision.Snapshot.BeforeNatTable);
                Assert.Equal("192.168.1.2", (await db.Clients.SingleAsync(Ct)).LanAddress.ToString());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_database_is_created_without_a_warning_and_its_schema_is_the_models()
    {
        var folder = TestDatabase.NewFolder();
        var file = Path.Combine(folder, "routeradmin.db");
        var warnings = new List<string>();
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>().UseSqlite(DatabaseOptions.ConnectionString(file))
                .LogTo(line => { lock (warnings) warnings.Add(line); }, Microsoft.Extensions.Logging.LogLevel.Warning)
                .Options;
            await using var db = new AppDbContext(options);

            await db.Database.MigrateAsync(Ct);

            Assert.True(warnings.Count == 0, "warnings while migrating a new database:\n" + string.Join("\n", warnings));
            Assert.False(db.Database.HasPendingModelChanges());
            // The columns the revision snapshots moved out of the revisions table are gone from it.
            var columns = await db.Database.SqlQueryRaw<string>("""SELECT "name" AS "Value" FROM pragma_table_info('Revisions')""").ToListAsync(Ct);
            Assert.DoesNotContain("RestoreScript", columns);
            Assert.DoesNotContain("DiffText", columns);
            Assert.Contains("Reason", columns);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
