using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Inventory;

namespace RouterAdmin.TestSupport.Database;

/// <summary>
/// A real SQLite file in its own temporary folder, with the application's real EF Core migrations applied. One per test,
/// so tests can run in parallel; the folder (database, -wal and -shm files) is deleted afterwards.
/// </summary>
/// <remarks>
/// The migrations run once per test run, through <see cref="DatabaseMigrator.MigrateAsync"/> exactly as the console runs
/// them at start-up, into a template file; each test then gets a byte-for-byte copy of it. Migrating every test's file
/// costs 30-100 ms of CPU each, which for a few hundred tests is most of the suite's time.
/// </remarks>
public sealed class TestDatabase : IAsyncDisposable
{
    // Every commit of a real SQLite file waits for fsync: ~10 ms on this kind of disk, ~0.3 ms on tmpfs. The file is as
    // real either way, so use RAM-backed /dev/shm where there is one.
    private static readonly string TempRoot = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    private readonly ServiceProvider _services;
    private readonly List<ServiceProvider> _independent = [];

    private TestDatabase(string folder, string file, ServiceProvider services)
    {
        Folder = folder;
        File = file;
        _services = services;
        Factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
    }

    public string Folder { get; }
    public string File { get; }
    public string ConnectionString => DatabaseOptions.ConnectionString(File);
    public IDbContextFactory<AppDbContext> Factory { get; }

    /// <summary>A new empty folder under the temporary root, for one test's database.</summary>
    public static string NewFolder()
    {
        var folder = Path.Combine(TempRoot, "routeradmin-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Puts a freshly migrated database file at <paramref name="file"/>.</summary>
    public static async Task CopyMigratedDatabaseToAsync(string file) =>
        System.IO.File.Copy(await Template.Value, file);

    public static async Task<TestDatabase> CreateAsync()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "routeradmin.db");
        await CopyMigratedDatabaseToAsync(file);
        return new TestDatabase(folder, file, FactoryServices(file));
    }

    private static ServiceProvider FactoryServices(string file)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<AppDbContext>(o => o.UseSqlite(DatabaseOptions.ConnectionString(file)).AddInventoryInterceptors());
        return services.BuildServiceProvider();
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "template.db");
        await using (var services = FactoryServices(file))
            await DatabaseMigrator.MigrateAsync(services, CancellationToken.None);
        Delete(folder, DatabaseOptions.ConnectionString(file), keep: true);
        // Fold the write-ahead log into the file and close every connection, so the file alone is the whole database.
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(folder, DatabaseOptions.ConnectionString(file));
        return file;
    }

    public AppDbContext NewContext() => Factory.CreateDbContext();

    /// <summary>
    /// A context factory from a service provider of its own, as a second server instance would have: nothing shared
    /// with <see cref="Factory"/> but the file.
    /// </summary>
    public IDbContextFactory<AppDbContext> IndependentFactory()
    {
        var provider = FactoryServices(File);
        _independent.Add(provider);
        return provider.GetRequiredService<IDbContextFactory<AppDbContext>>();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        foreach (var provider in _independent) await provider.DisposeAsync();
        Delete(Folder, ConnectionString);
    }

    public static void Delete(string folder, string connectionString, bool keep = false)
    {
        using (var connection = new SqliteConnection(connectionString))
            SqliteConnection.ClearPool(connection);
        if (keep) return;
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Still held open somewhere: the temporary root is cleaned by the OS eventually.
        }
    }
}
