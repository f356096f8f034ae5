using Microsoft.Extensions.Options;
using RouterAdmin.Inventory;

namespace RouterAdmin.Detection;

/// <summary>Bound from <c>RouterAdmin:Detection</c>.</summary>
public sealed class DetectionOptions
{
    public const string Section = "RouterAdmin:Detection";

    /// <summary>How often the watch is read while it is on; a dropped user is named within about two of these.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(3);

    public static IEnumerable<string> Problems(DetectionOptions options)
    {
        if (options.CheckInterval < TimeSpan.Zero)
            yield return $"{Section}:CheckInterval must be zero (off) or longer (was {options.CheckInterval}).";
    }
}

/// <summary>Reads the watch in the background while the setting has it on, so the dashboard names dropped users as they happen.</summary>
internal sealed class VpnWatchService(VpnUserWatcher watcher, SettingsService settings, IOptions<DetectionOptions> options, TimeProvider clock,
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
                foreach (var dropped in report.Dropped.Where(u => u.Since == report.CheckedAt))
                    logger.LogWarning("VPN user {Who} to {Server} is being dropped: its ESP cannot get a NAT mapping", dropped.Flow.Who, dropped.Flow.Server);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reading the VPN watch failed");
            }
        }
    }
}
