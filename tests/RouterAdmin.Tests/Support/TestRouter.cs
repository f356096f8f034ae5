using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Hosting;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests.Support;

/// <summary>
/// The console's real composition root (<see cref="RouterAdminHost.AddRouterAdminCore"/>) on a fresh migrated SQLite
/// file, with the simulated backend wrapped in a <see cref="SabotagedBackend"/> so a spec can make a step fail the way
/// a busy router would (someone changing it by hand in the middle of an apply).
/// </summary>
public sealed class TestRouter : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _directory;
    private readonly string _connectionString;

    private TestRouter(ServiceProvider services, string directory, string connectionString)
    {
        (_services, _directory, _connectionString) = (services, directory, connectionString);
    }

    public static async Task<TestRouter> StartAsync()
    {
        var directory = TestDatabase.NewFolder();
        var path = Path.Combine(directory, "routeradmin.db");
        await TestDatabase.CopyMigratedDatabaseToAsync(path);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["RouterAdmin:Database:Path"] = path,
                ["RouterAdmin:Firewall:Backend"] = "Simulated",
                // The clock is fake here: a status refresh must not wait for time that never passes.
                ["RouterAdmin:Drift:RefreshDelay"] = "00:00:00",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRouterAdminCore(configuration, directory);
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(InventorySpecs.Start));
        services.AddSingleton(provider => new SabotagedBackend(provider.GetRequiredService<SimulatedBackend>()));
        services.AddSingleton<IIptablesHost>(provider => provider.GetRequiredService<SabotagedBackend>());
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // What StartupTasks does first: here it finds the schema up to date.
        await DatabaseMigrator.MigrateAsync(provider, TestContext.Current.CancellationToken);
        return new TestRouter(provider, directory, DatabaseOptions.ConnectionString(path));
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ApplyEngine Engine => Get<ApplyEngine>();
    public ClientService Clients => Get<ClientService>();
    public ExternalAddressService Addresses => Get<ExternalAddressService>();
    public EndpointService Endpoints => Get<EndpointService>();
    public AssignmentService Assignments => Get<AssignmentService>();
    public SettingsService Settings => Get<SettingsService>();
    public InventoryStore Store => Get<InventoryStore>();
    public SabotagedBackend Backend => Get<SabotagedBackend>();
    public FakeTimeProvider Clock => (FakeTimeProvider)Get<TimeProvider>();

    public AppDbContext NewContext() => Get<IDbContextFactory<AppDbContext>>().CreateDbContext();

    /// <summary>The owned part of the simulated kernel, read back the way the engine reads it.</summary>
    public async Task<KernelState> ReadKernelAsync() => await ((IptablesBackend)Get<IFirewallBackend>()).ReadKernelAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        TestDatabase.Delete(_directory, _connectionString);
    }
}

/// <summary>Passes everything to the real (simulated) backend, after an optional act of sabotage.</summary>
public sealed class SabotagedBackend(IIptablesHost inner) : IIptablesHost
{
    public IIptablesHost Inner => inner;

    /// <summary>Runs once, just before the next restore transaction.</summary>
    public Func<IIptablesHost, Task>? BeforeNextRestore { get; set; }

    /// <summary>Runs once, just after the next restore transaction went through.</summary>
    public Func<IIptablesHost, Task>? AfterNextRestore { get; set; }

    /// <summary>Runs once, just before the next address is removed.</summary>
    public Func<IIptablesHost, BoundAddress, Task>? BeforeNextAddressDeletion { get; set; }

    /// <summary>Awaited before every read of the nat table while set: lets a spec hold a status refresh in the middle of its read.</summary>
    public Func<Task>? BeforeEachSave { get; set; }

    public string Name => inner.Name;
    public bool TouchesKernel => inner.TouchesKernel;
    public string? Namespace => inner.Namespace;

    public async Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken)
    {
        if (BeforeEachSave is { } pause) await pause();
        return await inner.SaveNatTableAsync(withCounters, cancellationToken);
    }
    public Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken) => inner.ReadAddressesAsync(cancellationToken);

    public async Task RestoreAsync(string script, CancellationToken cancellationToken)
    {
        if (BeforeNextRestore is { } sabotage) { BeforeNextRestore = null; await sabotage(inner); }
        await inner.RestoreAsync(script, cancellationToken);
        if (AfterNextRestore is { } meddling) { AfterNextRestore = null; await meddling(inner); }
    }

    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) => inner.AddAddressAsync(address, cancellationToken);

    public async Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken)
    {
        if (BeforeNextAddressDeletion is { } sabotage) { BeforeNextAddressDeletion = null; await sabotage(inner, address); }
        await inner.DeleteAddressAsync(address, cancellationToken);
    }

    public Task<int> ResetFlowAsync(FlowKey flow, CancellationToken cancellationToken) => inner.ResetFlowAsync(flow, cancellationToken);
    public Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken) => inner.ListFlowsAsync(cancellationToken);
    public string DescribeRestore() => inner.DescribeRestore();
    public string DescribeAddAddress(BoundAddress address) => inner.DescribeAddAddress(address);
    public string DescribeDeleteAddress(BoundAddress address) => inner.DescribeDeleteAddress(address);
    public string DescribeResetFlow(FlowKey flow) => inner.DescribeResetFlow(flow);
}
