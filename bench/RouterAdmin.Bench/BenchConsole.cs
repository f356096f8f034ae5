using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Hosting;
using RouterAdmin.Inventory;
using RouterAdmin.Security;

namespace RouterAdmin.Bench;

/// <summary>The ids the small-change benchmark moves between: one assignment and the two addresses it alternates over.</summary>
public sealed record SeededInventory(int Assignments, int MovingAssignmentId, int OriginalAddressId, int SpareAddressId);

/// <summary>
/// RouterAdmin's real services wired exactly as the app wires them (<see cref="RouterAdminHost.AddRouterAdminCore"/>),
/// on a fresh SQLite file in a temp folder, with the iptables backend driving the bench router's namespace.
/// </summary>
public sealed class BenchConsole : IAsyncDisposable
{
    public static readonly Actor Admin = new("bench", UserRole.Admin);

    public const int EndpointCount = 100;
    public const int AddressCount = 100;
    public const int MaxAssignments = EndpointCount * AddressCount;

    private readonly ServiceProvider _services;

    private BenchConsole(ServiceProvider services, string directory)
    {
        _services = services;
        Directory = directory;
    }

    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "routeradmin.db");
    public ClientService Clients => _services.GetRequiredService<ClientService>();
    public ExternalAddressService Addresses => _services.GetRequiredService<ExternalAddressService>();
    public EndpointService Endpoints => _services.GetRequiredService<EndpointService>();
    public AssignmentService Assignments => _services.GetRequiredService<AssignmentService>();
    public SettingsService Settings => _services.GetRequiredService<SettingsService>();
    public InventoryStore Store => _services.GetRequiredService<InventoryStore>();
    public ApplyEngine Engine => _services.GetRequiredService<ApplyEngine>();
    public ApplyGate Gate => _services.GetRequiredService<ApplyGate>();
    public IFirewallBackend Backend => _services.GetRequiredService<IFirewallBackend>();
    public IptablesBackend Reader => (IptablesBackend)_services.GetRequiredService<IFirewallBackend>();
    public IIptablesHost Host => _services.GetRequiredService<IIptablesHost>();
    public KernelTransaction Kernel => _services.GetRequiredService<KernelTransaction>();

    public static async Task<BenchConsole> StartAsync(string routerNamespace, CancellationToken ct, string backend = "Iptables")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ra-bench-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RouterAdmin:Database:Path"] = Path.Combine(directory, "routeradmin.db"),
            ["RouterAdmin:Firewall:Backend"] = backend,
            ["RouterAdmin:Firewall:Namespace"] = routerNamespace,
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration);
        services.AddRouterAdminCore(configuration, directory);
        var provider = services.BuildServiceProvider();
        try
        {
            await DatabaseMigrator.MigrateAsync(provider, ct);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
        return new BenchConsole(provider, directory);
    }

    public async Task<AppDbContext> OpenDatabaseAsync(CancellationToken ct) =>
        await _services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);

    /// <summary>
    /// LAN 10.0.0.0/16 behind "wan"; 100 VPN endpoints, 100 external addresses (203.0.113.2–.101, not bound by
    /// RouterAdmin) plus one spare (.102); <paramref name="count"/> clients, client i leaving from address i % 100 towards
    /// endpoint i / 100, which respects both unique indexes. Bulk-inserted: setup, not what is measured.
    /// </summary>
    public async Task<SeededInventory> SeedAsync(int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxAssignments);
        await Settings.UpdateAsync(new SettingsDraft { WanInterface = BenchRouter.WanInterface, LanSubnet = BenchRouter.LanSubnet }, Admin, ct);

        await using var db = await OpenDatabaseAsync(ct);
        var endpoints = Enumerable.Range(0, EndpointCount)
            .Select(i => new VpnEndpoint { Name = $"vpn-{i:000}", Destination = new IPNetwork(EndpointAddressOf(i), 32) })
            .ToArray();
        var addresses = Enumerable.Range(0, AddressCount + 1)
            .Select(i => new ExternalAddress { Address = ExternalAddressOf(i), Interface = BenchRouter.WanInterface, PrefixLength = 24, BindOnWan = false })
            .ToArray();
        var clients = Enumerable.Range(0, count)
            .Select(i => new Client { Name = $"client-{i:00000}", LanAddress = ClientAddressOf(i) })
            .ToArray();
        db.AddRange(endpoints);
        db.AddRange(addresses);
        db.AddRange(clients);
        await db.SaveChangesAsync(ct);

        var assignedAt = DateTimeOffset.UtcNow;
        var assignments = Enumerable.Range(0, count)
            .Select(i => new Assignment { ClientId = clients[i].Id, EndpointId = endpoints[i / AddressCount].Id, ExternalAddressId = addresses[i % AddressCount].Id, AssignedAt = assignedAt })
            .ToArray();
        db.AddRange(assignments);
        await db.SaveChangesAsync(ct);
        return new SeededInventory(count, assignments[0].Id, addresses[0].Id, addresses[AddressCount].Id);
    }

    /// <summary>10.0.1.10 onwards, 200 per /24, so no client sits on a network or broadcast address.</summary>
    public static IPAddress ClientAddressOf(int i) => IPAddress.Parse($"10.0.{1 + i / 200}.{10 + i % 200}");

    /// <summary>Documentation ranges only: 198.51.100.1–50 and 192.0.2.1–50.</summary>
    public static IPAddress EndpointAddressOf(int i) => IPAddress.Parse(i < 50 ? $"198.51.100.{1 + i}" : $"192.0.2.{1 + i - 50}");

    /// <summary>203.0.113.2 onwards; index <see cref="AddressCount"/> (203.0.113.102) is the spare no one holds.</summary>
    public static IPAddress ExternalAddressOf(int i) => IPAddress.Parse($"203.0.113.{2 + i}");

    /// <summary>The database file and its write-ahead log, in bytes.</summary>
    public long DatabaseBytes() =>
        new[] { DatabasePath, DatabasePath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
