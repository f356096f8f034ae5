using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;

namespace RouterAdmin.Inventory;

public static class InventoryRegistration
{
    /// <summary>The inventory's services: one per aggregate, the whole-inventory store, and the one change notification.</summary>
    public static IServiceCollection AddInventory(this IServiceCollection services)
    {
        services.AddSingleton<InventoryChanges>();
        services.AddSingleton<InventoryWriter>();
        services.AddSingleton<SettingsService>();
        services.AddSingleton<ClientService>();
        services.AddSingleton<EndpointService>();
        services.AddSingleton<ExternalAddressService>();
        services.AddSingleton<AssignmentService>();
        services.AddSingleton<InventoryStore>();
        // Bound and checked by the composition root; here so the inventory's services stand alone (the page tests).
        services.AddOptions<PoolOptions>();
        services.AddSingleton<PoolCapacity>();
        services.ConfigureDbContext<AppDbContext>(options => options.AddInventoryInterceptors(), ServiceLifetime.Singleton);
        return services;
    }

    /// <summary>What every <see cref="AppDbContext"/> needs so a whole-inventory replace is announced when it commits.</summary>
    public static DbContextOptionsBuilder AddInventoryInterceptors(this DbContextOptionsBuilder options) =>
        options.AddInterceptors(NotifyOnCommit.Instance);
}
