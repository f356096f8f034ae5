using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.History.Storage;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>A database whose history was written uncompressed is converted on upgrade, loses nothing, and shrinks.</summary>
public sealed class CompactHistoryMigrationSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NatTable(int revision) =>
        "*nat\n:POSTROUTING ACCEPT [0:0]\n" + string.Concat(Enumerable.Range(0, 3_000).Select(i =>
            $"-A ROUTERADMIN-SNAT -s 10.0.{i / 200}.{10 + i % 200}/32 -d 198.51.100.1/32 -m comment --comment \"routeradmin: client-{i:00000} r{(i == 7 ? revision : 0)}\" -j SNAT --to-source 203.0.113.2\n")) + "COMMIT\n";

    private static string State(int revision) => $"{{\"rules\":\"{string.Concat(Enumerable.Repeat("-A ROUTERADMIN-SNAT -s 10.0.0.1/32 ", 2_000))}\",\"revision\":{revision}}}";

    [Fact]
    public async Task Old_revisions_keep_every_text_their_states_are_shared_and_the_file_gets_smaller()
    {
        var folder = TestDatabase.NewFolder();
        var file = Path.Combine(folder, "routeradmin.db");
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>().UseSqlite(DatabaseOptions.ConnectionString(file)).Options;
            await using (var db = new AppDbContext(options))
            {
                await db.GetService<IMigrator>().MigrateAsync("RevisionSnapshots", Ct);
                // Three revisions as the previous version wrote them: each one's "before" is the previous one's "after".
                for (var r = 1; r <= 3; r++)
                {
                    await db.Database.ExecuteSqlAsync($"""
                        INSERT INTO "Revisions" ("Kind", "Status", "Actor", "Reason", "StartedAt", "Backend", "RulesAdded", "RulesRemoved", "ConntrackEntriesDeleted")
                        VALUES ('Apply', 'Applied', 'ada', {"change " + r}, 0, 'simulated', 1, 1, 0);
                        """, Ct);
                    await db.Database.ExecuteSqlAsync($"""
                        INSERT INTO "RevisionSnapshots" ("RevisionId", "BeforeNatTable", "BeforeStateJson", "AfterStateJson", "InventoryJson", "RestoreScript", "CommandsText")
                        VALUES ({r}, {NatTable(r)}, {State(r - 1)}, {State(r)}, {"{\"inventory\":" + r + "}"}, {"*nat\n-A X\nCOMMIT\n"}, {""});
                        """, Ct);
                }
            }
            SqliteConnection.ClearAllPools();
            var sizeBefore = new FileInfo(file).Length + (File.Exists(file + "-wal") ? new FileInfo(file + "-wal").Length : 0);

            var services = new ServiceCollection().AddDbContextFactory<AppDbContext>(o => o.UseSqlite(DatabaseOptions.ConnectionString(file))).BuildServiceProvider();
            await using (services)
                await DatabaseMigrator.MigrateAsync(services, Ct);

            await using (var db = new AppDbContext(options))
            {
                Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
                var snapshots = await db.RevisionSnapshots.AsNoTracking().OrderBy(s => s.RevisionId).ToListAsync(Ct);
                for (var r = 1; r <= 3; r++)
                {
                    var s = snapshots[r - 1];
                    Assert.Equal((NatTable(r), State(r - 1), State(r), "{\"inventory\":" + r + "}", "*nat\n-A X\nCOMMIT\n", ""),
                        (s.BeforeNatTable, s.BeforeStateJson, s.AfterStateJson, s.InventoryJson, s.RestoreScript, s.CommandsText));
                }
                Assert.Equal(State(2), await SnapshotStorage.LoadTextAsync(db, 2, SnapshotStorage.AfterStateColumn, Ct));
                // 3 nat tables + 4 distinct states + 3 inventories + 1 restore script; the empty commands need none.
                Assert.Equal(11, await db.SnapshotChunks.CountAsync(Ct));
                var columns = await db.Database.SqlQueryRaw<string>("""SELECT "name" AS "Value" FROM pragma_table_info('RevisionSnapshots')""").ToListAsync(Ct);
                Assert.Equal(["AfterStateChunks", "BeforeNatTableChunks", "BeforeStateChunks", "CommandsChunks", "InventoryChunks", "RestoreScriptChunks", "RevisionId"], columns.Order());
                Assert.Equal(2, await db.Database.SqlQueryRaw<long>("""SELECT "auto_vacuum" AS "Value" FROM pragma_auto_vacuum""").SingleAsync(Ct));
                Assert.Equal("wal", await db.Database.SqlQueryRaw<string>("""SELECT "journal_mode" AS "Value" FROM pragma_journal_mode""").SingleAsync(Ct));
            }
            SqliteConnection.ClearAllPools();
            var sizeAfter = new FileInfo(file).Length + (File.Exists(file + "-wal") ? new FileInfo(file + "-wal").Length : 0);
            Assert.True(sizeAfter * 3 < sizeBefore, $"the file went from {sizeBefore:N0} to {sizeAfter:N0} bytes");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
