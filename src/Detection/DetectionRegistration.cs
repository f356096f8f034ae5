using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Nftables;

namespace RouterAdmin.Detection;

public static class DetectionRegistration
{
    /// <summary>The watch lives in nf_tables whichever rule backend is chosen; the simulated backend has no kernel to watch.</summary>
    public static IServiceCollection AddVpnDetection(this IServiceCollection services)
    {
        services.AddSingleton<NftVpnWatch>();
        services.AddSingleton<IVpnWatch>(provider =>
            provider.GetRequiredService<IOptions<FirewallOptions>>().Value.Backend == FirewallBackendKind.Simulated
                ? new NoVpnWatch()
                : provider.GetRequiredService<NftVpnWatch>());
        services.AddSingleton<VpnUserWatcher>();
        services.AddSingleton<VpnUserFixes>();
        return services;
    }
}
