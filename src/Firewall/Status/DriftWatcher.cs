using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Status;

/// <summary>What a drift found by the background check leads to.</summary>
public enum DriftPolicy
{
    /// <summary>Shown on the dashboard and notified; a person re-applies or adopts.</summary>
    Alert,
    /// <summary>The revision in effect is re-applied automatically, within limits (<see cref="DriftRepair"/>).</summary>
    Repair,
}

/// <summary>Bound from <c>RouterAdmin:Drift</c>.</summary>
public sealed class DriftOptions
{
    public const string Section = "RouterAdmin:Drift";

    public DriftPolicy Policy { get; set; } = DriftPolicy.Alert;

    /// <summary>With <see cref="DriftPolicy.Repair"/>: repairs in a row (no clean check between them) before repairing stops and alerts.</summary>
    public int MaxRepairsInARow { get; set; } = 3;

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
        if (options.MaxRepairsInARow < 1)
            yield return $"{Section}:MaxRepairsInARow must be at least 1 (was {options.MaxRepairsInARow}).";
        if (options.Policy == DriftPolicy.Repair && options.CheckInterval <= TimeSpan.Zero)
            yield return $"{Section}:Policy Repair needs a background check: set {Section}:CheckInterval longer than zero.";
        if (options.RefreshMaxDelay < options.RefreshDelay)
            yield return $"{Section}:RefreshMaxDelay must be at least RefreshDelay (was {options.RefreshMaxDelay}).";
    }
}

/// <summary>
/// Looks at the router in the background, so drift shows up on the dashboard even when nobody is looking, and is
/// alerted or repaired as <see cref="DriftOptions.Policy"/> says.
/// </summary>
internal sealed class DriftWatcher(DriftRepair repair, IOptions<DriftOptions> options, TimeProvider clock, ILogger<DriftWatcher> logger) : BackgroundService
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
                await repair.CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed check (the database busy, a tool misbehaving) must not stop the console; the next tick tries again.
                logger.LogError(e, "The background drift check failed");
            }
        }
    }
}
