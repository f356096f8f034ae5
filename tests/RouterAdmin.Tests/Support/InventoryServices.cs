using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;

namespace RouterAdmin.Tests.Support;

/// <summary>
/// The inventory's services as <see cref="InventoryRegistration.AddInventory"/> wires them, on a given context factory
/// and clock: what one server instance holds (two of them on independent factories are two servers).
/// </summary>
public sealed class InventoryServices : IDisposable
{
    private readonly ServiceProvider _provider;

    public InventoryServices(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(factory);
        services.AddSingleton(clock);
        services.AddInventory();
        services.AddBulkInventory();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public ClientService Clients => _provider.GetRequiredService<ClientService>();
    public ExternalAddressService Addresses => _provider.GetRequiredService<ExternalAddressService>();
    public EndpointService Endpoints => _provider.GetRequiredService<EndpointService>();
    public AssignmentService Assignments => _provider.GetRequiredService<AssignmentService>();
    public SettingsService Settings => _provider.GetRequiredService<SettingsService>();
    public InventoryStore Store => _provider.GetRequiredService<InventoryStore>();
    public InventoryChanges Changes => _provider.GetRequiredService<InventoryChanges>();
    public PoolCapacity Pools => _provider.GetRequiredService<PoolCapacity>();

    /// <summary>Makes every inventory service injectable, for components under test.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(Clients);
        services.AddSingleton(Addresses);
        services.AddSingleton(Endpoints);
        services.AddSingleton(Assignments);
        services.AddSingleton(Settings);
        services.AddSingleton(Store);
        services.AddSingleton(Changes);
        services.AddSingleton(Pools);
        services.AddSingleton(_provider.GetRequiredService<BulkImportService>());
        services.AddSingleton(_provider.GetRequiredService<InventoryExport>());
    }

    public void Dispose() => _provider.Dispose();
}
