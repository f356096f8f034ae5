using Microsoft.Extensions.Options;
using RouterAdmin.Inventory;

namespace RouterAdmin.Detection;

/// <summary>Bound from <c>RouterAdmin:Detection</c>.</summary>
public sealed class DetectionOptions
{
    public const string Section = "RouterAdmin:Detection";

    /// <summary>How often the watch is read while it is on; a dropped user is named within about two of these.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A dnsmasq lease file to name the hosts the inventory does not know (optional; e.g. /var/lib/misc/dnsmasq.leases).</summary>
    public string? LeasesFile { get; set; }

    public static IEnumerable<string> Problems(DetectionOptions options)
    {
        if (options.CheckInterval < TimeSpan.Zero)
            yield return $"{Section}:CheckInterval must be zero (off) or longer (was {options.CheckInterval}).";
    }
}

/// <summary>Reads the watch in the background while the setting has it on, so the dashboard names dropped users as they happen.</summary>
internal sealed class VpnWatchService(VpnUserWatcher watcher, SettingsService settings, RouterAdmin.Notifications.Notifier notifier, IOptions<DetectionOptions> options, TimeProvider clock,
    ILogger<VpnWatchService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CheckInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!(await settings.GetAsync(stoppingToken)).WatchVpnUsers) continue;
                var report = await watcher.CheckAsync(stoppingToken);
                // Told once, when a user enters the state: the dashboard lists them for as long as it lasts.
                foreach (var user in report.Users.Where(u => u.Since == report.CheckedAt && u.Flow.State != VpnFlowState.Fine))
                {
                    logger.LogWarning("VPN user {Who} to {Server}: {State}", user.Flow.Who, user.Flow.Server, user.Flow.State);
                    notifier.DroppedVpnUserDetected(user.Flow.LanHost, user.Flow.Server, user.Flow.ClientName, user.Flow.UnconfirmedPackets, user.Since,
                        atRisk: user.Flow.State == VpnFlowState.AtRisk);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reading the VPN watch failed");
            }
        }
    }
}
