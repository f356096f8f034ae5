using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Backends.Watch;
using RouterAdmin.Hosting;

namespace RouterAdmin.Detection;

public static class DetectionRegistration
{
    /// <summary>The watch lives in nf_tables whichever rule backend is chosen; the simulated backend only remembers it.</summary>
    public static IServiceCollection AddVpnDetection(this IServiceCollection services)
    {
        services.AddValidatedOptions<DetectionOptions>(DetectionOptions.Section, DetectionOptions.Problems);
        services.AddSingleton<NftVpnWatch>();
        services.AddSingleton<SimulatedVpnWatchTable>();
        services.AddSingleton<IVpnWatchTable>(provider => Simulated(provider)
            ? provider.GetRequiredService<SimulatedVpnWatchTable>()
            : provider.GetRequiredService<NftVpnWatch>());
        // The simulated router's watch counts what a demo or a spec puts in it, and only while the watch is applied.
        services.AddSingleton<IVpnWatch>(provider => Simulated(provider)
            ? provider.GetRequiredService<SimulatedVpnWatchTable>()
            : provider.GetRequiredService<NftVpnWatch>());
        services.AddSingleton<INeighbourTable>(provider => Simulated(provider)
            ? new NoNeighbourTable()
            : new KernelNeighbourTable(provider.GetRequiredService<HostTools>()));
        services.AddSingleton<HostIdentities>();
        services.AddSingleton<VpnUserWatcher>();
        services.AddSingleton<VpnUserFixes>();
        return services;
    }

    private static bool Simulated(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<FirewallOptions>>().Value.Backend == FirewallBackendKind.Simulated;
}
