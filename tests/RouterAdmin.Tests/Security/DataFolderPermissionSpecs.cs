using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Security;

/// <summary>The start-up check of the data folder: a database or folder someone opened up is closed again, and said so.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderPermissionSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_database_and_its_folder_are_created_for_the_owner_only()
    {
        var root = TestDatabase.NewFolder();
        var folder = Path.Combine(root, "data");
        var file = Path.Combine(folder, "routeradmin.db");
        var log = new ListLogger();

        await MigrateAsync(file, log);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        Assert.Empty(log.Warnings);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_loosened_database_is_tightened_at_start_up_and_a_wide_folder_reported_but_left_alone()
    {
        var folder = TestDatabase.NewFolder();
        var file = Path.Combine(folder, "routeradmin.db");
        await TestDatabase.CopyMigratedDatabaseToAsync(file);
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        var log = new ListLogger();

        await MigrateAsync(file, log);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        // The folder might be /var/lib itself: changing it could break the machine, so it is only reported.
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(folder));
        Assert.Contains(log.Warnings, w => w.Contains(file, StringComparison.Ordinal) && w.Contains("0644", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Contains(folder, StringComparison.Ordinal) && w.Contains("0755", StringComparison.Ordinal));
        Directory.Delete(folder, recursive: true);
    }

    private static async Task MigrateAsync(string file, ListLogger log)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(log));
        services.AddDbContextFactory<AppDbContext>(o => o.UseSqlite(DatabaseOptions.ConnectionString(file)));
        await using var provider = services.BuildServiceProvider();
        await DatabaseMigrator.MigrateAsync(provider, Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private sealed class ListLogger : ILoggerProvider, ILogger
    {
        public List<string> Warnings { get; } = [];
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning) lock (Warnings) Warnings.Add(formatter(state, exception));
        }
        public void Dispose() { }
    }
}
