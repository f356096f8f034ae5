using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Status;

/// <summary>Bound from <c>RouterAdmin:Drift</c>.</summary>
public sealed class DriftOptions
{
    public const string Section = "RouterAdmin:Drift";

    /// <summary>How often the kernel is compared with the last applied revision; zero turns the background check off.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the status waits after an inventory edit for the next one before it reads the router: a script creating
    /// a thousand clients causes a read when it pauses, not one per client. Never longer than <see cref="RefreshMaxDelay"/>.
    /// </summary>
    public TimeSpan RefreshDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan RefreshMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public static IEnumerable<string> Problems(DriftOptions options)
    {
        if (options.CheckInterval < TimeSpan.Zero)
            yield return $"{Section}:CheckInterval must be zero (off) or longer (was {options.CheckInterval}).";
        if (options.RefreshDelay < TimeSpan.Zero)
            yield return $"{Section}:RefreshDelay must be zero or longer (was {options.RefreshDelay}).";
        if (options.RefreshMaxDelay < options.RefreshDelay)
            yield return $"{Section}:RefreshMaxDelay must be at least RefreshDelay (was {options.RefreshMaxDelay}).";
    }
}

/// <summary>Looks at the router in the background, so drift shows up on the dashboard even when nobody is looking.</summary>
internal sealed class DriftWatcher(FirewallStatusMonitor monitor, IOptions<DriftOptions> options, TimeProvider clock, ILogger<DriftWatcher> logger) : BackgroundService
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
                var status = await monitor.RefreshAsync(stoppingToken);
                if (status.Drifted)
                    logger.LogWarning("The router has drifted from revision {Revision}: {Lines} line(s) differ", status.BaselineRevisionId,
                        status.Drift!.RulesAdded + status.Drift.RulesRemoved);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed check (the database busy, a tool misbehaving) must not stop the console; the next tick tries again.
                logger.LogError(e, "The background drift check failed");
            }
        }
    }
}
