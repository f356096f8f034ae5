using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Hosting;
using RouterAdmin.Inventory;
using RouterAdmin.LabTests.Lab;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.LabTests.Console;

/// <summary>
/// RouterAdmin's real services (inventory, planner, apply engine, iptables backend) on a fresh SQLite file, driving a
/// lab router through <c>ip netns exec</c>, exactly as a deployment configured with a namespace would.
/// </summary>
public sealed class LabConsole : IAsyncDisposable
{
    public static readonly Actor Admin = new("lab-admin", UserRole.Admin);

    /// <summary>The real backends, for the specs that must hold on each (a theory over the backend, not a copy).</summary>
    public static TheoryData<string> Backends => new() { "Iptables", "Nftables" };
    public const string EndpointName = "Customer Contivity";

    private readonly ServiceProvider _services;

    private readonly bool _ownsDirectory;

    private LabConsole(ServiceProvider services, string directory, bool ownsDirectory, NetnsLab lab, IReadOnlyDictionary<string, string?> settings)
    {
        _ownsDirectory = ownsDirectory;
        _services = services;
        Directory = directory;
        Lab = lab;
        Settings = settings;
    }

    public NetnsLab Lab { get; }
    public string Directory { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }
    public string DatabasePath => Path.Combine(Directory, "routeradmin.db");
    public IServiceProvider Services => _services;
    public ClientService Clients => _services.GetRequiredService<ClientService>();
    public ExternalAddressService Addresses => _services.GetRequiredService<ExternalAddressService>();
    public EndpointService Endpoints => _services.GetRequiredService<EndpointService>();
    public AssignmentService Assignments => _services.GetRequiredService<AssignmentService>();
    public SettingsService RouterSettings => _services.GetRequiredService<SettingsService>();
    public InventoryStore Store => _services.GetRequiredService<InventoryStore>();
    public ApplyEngine Engine => _services.GetRequiredService<ApplyEngine>();
    public int EndpointId { get; private set; }
    public Dictionary<int, int> ClientIds { get; } = [];
    public Dictionary<int, int> AddressIds { get; } = [];

    /// <param name="directory">Where the database lives; when given, it survives this console (to play a restart), and the caller deletes it.</param>
    public static async Task<LabConsole> StartAsync(NetnsLab lab, IDictionary<string, string?>? overrides = null, string? directory = null,
        Action<IServiceCollection>? configureServices = null, string backend = "Iptables")
    {
        var ownsDirectory = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("routeradmin-lab-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["RouterAdmin:Database:Path"] = Path.Combine(directory, "routeradmin.db"),
            ["RouterAdmin:Firewall:Backend"] = backend,
            ["RouterAdmin:Firewall:Namespace"] = lab.RouterNamespace,
            ["RouterAdmin:Firewall:LockWaitSeconds"] = "2",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration);
        services.AddRouterAdminCore(configuration, directory);
        configureServices?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await DatabaseMigrator.MigrateAsync(provider);
        return new LabConsole(provider, directory, ownsDirectory, lab, settings);
    }

    /// <summary>
    /// The story's router: WAN "wan", LAN 192.168.1.0/24, the customer's VPN server, five external addresses that
    /// RouterAdmin binds itself, and one client per lab client. Nothing is assigned yet.
    /// </summary>
    public async Task SeedStoryAsync(int externalAddresses = 5, bool bindOnWan = true)
    {
        await RouterSettings.UpdateAsync(new SettingsDraft { WanInterface = NetnsLab.WanInterface, LanSubnet = NetnsLab.LanSubnet.ToString() }, Admin);
        EndpointId = await Endpoints.CreateAsync(new EndpointDraft { Name = EndpointName, Destination = NetnsLab.VpnServer.ToString() }, Admin);
        for (var n = 1; n <= externalAddresses; n++)
            AddressIds[n] = await Addresses.CreateAsync(new ExternalAddressDraft
            {
                Address = NetnsLab.ExternalAlias(n).ToString(), Interface = NetnsLab.WanInterface, PrefixLength = NetnsLab.WanPrefixLength, BindOnWan = bindOnWan,
            }, Admin);
        foreach (var client in Lab.Clients)
            ClientIds[client.Number] = await Clients.CreateAsync(new ClientDraft { Name = $"client{client.Number}", LanAddress = client.Address.ToString() }, Admin);
    }

    public Task<AssignmentRow> AssignAsync(int clientNumber, int alias) =>
        Assignments.AssignAsync(ClientIds[clientNumber], EndpointId, AddressIds[alias], Admin);

    /// <summary>Previews, then applies exactly what was previewed, as the UI does.</summary>
    public async Task<(ChangePreview Preview, ApplyResult Result)> PreviewAndApplyAsync(string reason, TimeSpan? confirmWithin = null)
    {
        var preview = await Engine.PreviewApplyAsync();
        var result = await Engine.ApplyAsync(new ApplyRequest(Admin, reason, preview.Fingerprint, confirmWithin));
        return (preview, result);
    }

    public async Task<(ChangePreview Preview, ApplyResult Result)> RollbackAsync(int revisionId, string reason)
    {
        var preview = await Engine.PreviewRollbackAsync(revisionId);
        var result = await Engine.RollbackAsync(revisionId, new ApplyRequest(Admin, reason, preview.Fingerprint));
        return (preview, result);
    }

    public async Task<AppDbContext> OpenDatabaseAsync() =>
        await _services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    public async Task<IReadOnlyList<(IPAddress Client, IPAddress External)>> AssignmentsAsync()
    {
        var snapshot = await Store.CaptureAsync();
        return snapshot.Assignments
            .Select(a => (snapshot.Clients.Single(c => c.Id == a.ClientId).LanAddress, snapshot.ExternalAddresses.Single(x => x.Id == a.ExternalAddressId).Address))
            .OrderBy(p => Ipv4.ToUInt32(p.LanAddress))
            .ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
