using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Hosting;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>The <c>backup --out FILE</c> verb: a complete, owner-only copy of the database.</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class BackupVerbSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_backup_verb_writes_a_0600_copy_holding_the_history_and_says_where()
    {
        await using var router = await TestConsole.StartAsync();
        await SnapshotStorageSpecs.SeedAsync(router, 50);
        var preview = await router.Engine.PreviewApplyAsync(Ct);
        var applied = await router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "before the backup", preview.Fingerprint), Ct);
        string database;
        await using (var db = router.NewContext())
            database = db.Database.GetDbConnection().DataSource;
        var folder = TestDatabase.NewFolder();
        var copy = Path.Combine(folder, "nested", "backup.db");
        try
        {
            var output = new StringWriter();
            var original = Console.Out;
            Console.SetOut(output);
            int exit;
            try
            {
                exit = await CommandLine.RunAsync(["backup", "--out", copy, $"--RouterAdmin:Database:Path={database}"]);
            }
            finally
            {
                Console.SetOut(original);
            }

            Assert.Equal(0, exit);
            Assert.Contains($"Backup written to {copy}", output.ToString());
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
            Assert.Equal([copy], Directory.GetFiles(Path.GetDirectoryName(copy)!));
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "Reason" FROM "Revisions" WHERE "Id" = $id""";
            command.Parameters.AddWithValue("$id", applied.RevisionId);
            Assert.Equal("before the backup", await command.ExecuteScalarAsync(Ct));
            command.CommandText = """SELECT count(*) FROM "Clients" """;
            Assert.Equal(50L, await command.ExecuteScalarAsync(Ct));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_file_the_verb_says_what_it_needs()
    {
        var errors = new StringWriter();
        var original = Console.Error;
        Console.SetError(errors);
        try
        {
            Assert.Equal(2, await CommandLine.RunAsync(["backup", $"--RouterAdmin:Database:Path={Path.Combine(TestDatabase.NewFolder(), "routeradmin.db")}"]));
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Contains("backup needs --out FILE.", errors.ToString());
    }
}

/// <summary>Specs that swap Console.Out or Console.Error run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleOutput), DisableParallelization = true)]
public sealed class ConsoleOutput;
