using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Hosting;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.TestSupport.Database;

namespace RouterAdmin.TestSupport;

/// <summary>
/// RouterAdmin as the tests and the benchmark run it: the real composition root (<see cref="RouterAdminHost"/>) on a
/// fresh migrated SQLite file of its own, either the core services alone or the whole web application on a loopback
/// port, driving the simulated router, a lab router or the benchmark's. See <see cref="ConsoleSetup"/> for the choices.
/// </summary>
public sealed partial class TestConsole : IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly Func<ValueTask> _stop;
    private readonly bool _ownsDirectory;

    private TestConsole(ConsoleSetup setup, IServiceProvider services, Func<ValueTask> stop, string directory, IReadOnlyDictionary<string, string?> configuration, Uri? address)
    {
        (Setup, _services, _stop, Directory, Configuration, _address) = (setup, services, stop, directory, configuration, address);
        _ownsDirectory = setup.Directory is null;
        Lab = setup.Lab;
    }

    public ConsoleSetup Setup { get; }
    public IServiceProvider Services => _services;
    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "routeradmin.db");

    /// <summary>The console's settings as keys, for a child process of the real executable (see <see cref="ConsoleProcess"/>).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ApplyEngine Engine => Get<ApplyEngine>();
    public ApplyGate Gate => Get<ApplyGate>();
    public ClientService Clients => Get<ClientService>();
    public ExternalAddressService Addresses => Get<ExternalAddressService>();
    public EndpointService Endpoints => Get<EndpointService>();
    public AssignmentService Assignments => Get<AssignmentService>();
    public SettingsService Settings => Get<SettingsService>();
    public InventoryStore Store => Get<InventoryStore>();
    public BulkImportService Import => Get<BulkImportService>();
    public InventoryExport Export => Get<InventoryExport>();
    public IFirewallBackend Backend => Get<IFirewallBackend>();

    /// <summary>
    /// The router behind the iptables backend, with the sabotage hooks (<see cref="ConsoleSetup.Sabotage"/>): how a spec
    /// changes the kernel behind the console's back or makes one step of an apply fail.
    /// </summary>
    public SabotagedBackend Kernel => Get<SabotagedBackend>();
    public FakeTimeProvider Clock => (FakeTimeProvider)Get<TimeProvider>();

    /// <remarks>Cancelled with the running test (no token to pass: xunit's analyzer then has nothing to ask for).</remarks>
    public static async Task<TestConsole> StartAsync(ConsoleSetup? setup = null)
    {
        var ct = TestContext.Current.CancellationToken;
        setup ??= ConsoleSetup.Simulated();
        var directory = setup.Directory
            ?? (setup.OnDisk ? System.IO.Directory.CreateTempSubdirectory("routeradmin-").FullName : TestDatabase.NewFolder());
        var database = Path.Combine(directory, "routeradmin.db");
        // The template was migrated exactly as start-up migrates; a database left by an earlier console (a restart) is kept.
        if (!File.Exists(database)) await TestDatabase.CopyMigratedDatabaseToAsync(database);
        var configuration = Configure(setup, database);
        return setup.Web
            ? await StartWebAsync(setup, directory, configuration, ct)
            : await StartCoreAsync(setup, directory, configuration, ct);
    }

    private static Dictionary<string, string?> Configure(ConsoleSetup setup, string database)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RouterAdmin:Database:Path"] = database,
            ["RouterAdmin:Firewall:Backend"] = setup.Backend,
        };
        if ((setup.Lab?.RouterNamespace ?? setup.Namespace) is { } routerNamespace)
            settings["RouterAdmin:Firewall:Namespace"] = routerNamespace;
        if (setup.Lab is not null)
            settings["RouterAdmin:Firewall:LockWaitSeconds"] = "2";
        if (setup.Web)
        {
            // Checks run when a spec asks for them, not on a timer racing its assertions.
            settings["RouterAdmin:Drift:CheckInterval"] = "00:00:00";
            settings["Logging:LogLevel:Default"] = "Warning";
        }
        foreach (var (key, value) in setup.Settings) settings[key] = value;
        return settings;
    }

    private static void Customize(ConsoleSetup setup, IServiceCollection services)
    {
        if (setup.Clock is { } clock) services.AddSingleton(clock);
        if (setup.Sabotage)
        {
            services.AddSingleton(provider => new SabotagedBackend(setup.Backend == "Iptables"
                ? provider.GetRequiredService<IptablesTools>()
                : provider.GetRequiredService<SimulatedBackend>()));
            services.AddSingleton<IIptablesHost>(provider => provider.GetRequiredService<SabotagedBackend>());
        }
        setup.Services?.Invoke(services);
    }

    private static async Task<TestConsole> StartCoreAsync(ConsoleSetup setup, string directory, Dictionary<string, string?> settings, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddRouterAdminCore(configuration, directory);
        Customize(setup, services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            // What StartupTasks does first: here it finds the schema up to date.
            await DatabaseMigrator.MigrateAsync(provider, ct);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
        return new TestConsole(setup, provider, provider.DisposeAsync, directory, settings, address: null);
    }

    private static async Task<TestConsole> StartWebAsync(ConsoleSetup setup, string directory, Dictionary<string, string?> settings, CancellationToken ct)
    {
        string[] args = ["--urls=http://127.0.0.1:0", "--environment=Production", .. settings.Select(p => $"--{p.Key}={p.Value}")];
        var app = RouterAdminHost.BuildWebApp(args, builder => Customize(setup, builder.Services));
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestConsole(setup, app.Services, async () =>
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }, directory, settings, new Uri(address));
    }

    private readonly List<Microsoft.Extensions.Hosting.IHostedService> _background = [];

    /// <summary>
    /// Starts one of the web console's background parts (the notification queue, its sources) on a console of core
    /// services, which starts none by itself; it is stopped before the console is.
    /// </summary>
    public async Task<T> StartInBackgroundAsync<T>() where T : Microsoft.Extensions.Hosting.IHostedService
    {
        var part = Get<T>();
        await part.StartAsync(TestContext.Current.CancellationToken);
        _background.Add(part);
        return part;
    }

    public AppDbContext NewContext() => Get<IDbContextFactory<AppDbContext>>().CreateDbContext();

    public async Task<AppDbContext> OpenDatabaseAsync() =>
        await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

    /// <summary>The owned part of the router, read back the way the iptables backend reads it.</summary>
    public Task<KernelState> ReadKernelAsync() => Get<IptablesBackend>().ReadKernelAsync(TestContext.Current.CancellationToken);

    /// <summary>The database file and its write-ahead log, in bytes.</summary>
    public long DatabaseBytes() =>
        new[] { DatabasePath, DatabasePath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    public async ValueTask DisposeAsync()
    {
        foreach (var part in Enumerable.Reverse(_background)) await part.StopAsync(CancellationToken.None);
        await _stop();
        using (var connection = new SqliteConnection(DatabaseOptions.ConnectionString(DatabasePath)))
            SqliteConnection.ClearPool(connection);
        if (_ownsDirectory)
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
