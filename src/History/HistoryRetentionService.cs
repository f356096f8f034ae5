using Microsoft.Extensions.Options;

namespace RouterAdmin.History;

/// <summary>Runs the history retention once at start and then every <see cref="HistoryOptions.PruneInterval"/>, on the TimeProvider.</summary>
internal sealed class HistoryRetentionService(HistoryRetention retention, IOptions<HistoryOptions> options, TimeProvider clock, ILogger<HistoryRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PruneInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                var result = await retention.PruneAsync(options.Value, stoppingToken);
                if (result.DeletedRevisions.Count > 0)
                    logger.LogInformation("History retention deleted {Revisions} revision(s) and {Chunks} chunk(s); the database went from {Before:N0} to {After:N0} bytes",
                        result.DeletedRevisions.Count, result.DeletedChunks, result.BytesBefore, result.BytesAfter);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next run tries again; a failed run deleted nothing (one transaction).
                logger.LogError(e, "History retention failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
