using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Hosting;

namespace RouterAdmin.Tests.Support;

/// <summary>The console's core services, wired as the host wires them, on a fresh migrated SQLite file of their own.</summary>
public static class CoreServices
{
    public static async Task<ServiceProvider> OnMigratedFileAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = TestDatabase.NewFolder();
        var path = Path.Combine(directory, "routeradmin.db");
        await TestDatabase.CopyMigratedDatabaseToAsync(path);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["RouterAdmin:Database:Path"] = path };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRouterAdminCore(configuration, directory);
        return services.BuildServiceProvider();
    }
}
