using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using RouterAdmin.Security;

namespace RouterAdmin.Notifications;

/// <summary>One try to deliver one notification through one channel, for the log on the Settings page and for tests.</summary>
public sealed record DeliveryAttempt(string Channel, NotificationKind Kind, string Title, int Attempt, DateTimeOffset At, string? Error)
{
    public bool Delivered => Error is null;
}

/// <summary>
/// Takes notifications off <see cref="Notifier"/>'s queue and delivers each through every enabled channel, each
/// delivery on its own so a dead webhook does not hold up the mail. A failed try is logged and retried with a doubling
/// wait (<see cref="NotificationOptions"/>); after the last try the notification is given up for that channel, logged.
/// </summary>
public sealed class NotificationDispatcher(
    Notifier notifier,
    NotificationSettingsService settings,
    IEnumerable<INotificationChannel> channels,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private const int Kept = 100;
    private ImmutableQueue<DeliveryAttempt> _recent = [];

    /// <summary>The latest tries, oldest first.</summary>
    public IReadOnlyList<DeliveryAttempt> Recent => [.. _recent];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deliveries = new List<Task>();
        try
        {
            await foreach (var notification in notifier.Queue.ReadAllAsync(stoppingToken))
            {
                deliveries.RemoveAll(t => t.IsCompleted);
                NotificationSettings current;
                try { current = await settings.LoadAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Could not read the notification settings; {Kind} was not delivered", notification.KindName);
                    continue;
                }
                foreach (var channel in channels.Where(c => c.IsEnabled(current)))
                    deliveries.Add(DeliverAsync(channel, notification, current, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await Task.WhenAll(deliveries);
    }

    /// <summary>The Settings page's "send a test": one try now, through one channel, with the settings as stored.</summary>
    /// <returns>Null when it was delivered, otherwise what went wrong.</returns>
    public async Task<string?> SendTestAsync(string channelName, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var channel = channels.Single(c => c.Name == channelName);
        var notification = new Notification(NotificationKind.Test, "Test notification",
            $"{actor.Name} asked RouterAdmin to send a test through the {channel.Name} channel. If you can read this, it works.",
            clock.GetUtcNow(), new Dictionary<string, string> { ["requestedBy"] = actor.Name });
        return await TryAsync(channel, notification, await settings.LoadAsync(ct), attempt: 1, ct);
    }

    private async Task DeliverAsync(INotificationChannel channel, Notification notification, NotificationSettings current, CancellationToken ct)
    {
        var limits = options.Value;
        for (var attempt = 1; attempt <= limits.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                try { await Task.Delay(limits.RetryDelay(attempt), clock, ct); }
                catch (OperationCanceledException) { return; }
            }
            var error = await TryAsync(channel, notification, current, attempt, ct);
            if (error is null) return;
            if (ct.IsCancellationRequested) return;
            if (attempt < limits.MaxAttempts)
                logger.LogWarning("Notification {Kind} through {Channel} failed (try {Attempt} of {Max}), retrying in {Delay}: {Error}",
                    notification.KindName, channel.Name, attempt, limits.MaxAttempts, limits.RetryDelay(attempt + 1), error);
            else
                logger.LogError("Notification {Kind} through {Channel} given up after {Max} tries: {Error}", notification.KindName, channel.Name, limits.MaxAttempts, error);
        }
    }

    private async Task<string?> TryAsync(INotificationChannel channel, Notification notification, NotificationSettings current, int attempt, CancellationToken ct)
    {
        string? error = null;
        // A try is recorded when it began: the end depends on how long the receiver took to refuse, and the waits between tries run from the end.
        var startedAt = clock.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.DeliveryTimeout);
        try
        {
            await channel.SendAsync(notification, current, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !ct.IsCancellationRequested)
        {
            error = e is OperationCanceledException ? $"no answer within {options.Value.DeliveryTimeout.TotalSeconds:0} s" : e.Message;
        }
        var tried = new DeliveryAttempt(channel.Name, notification.Kind, notification.Title, attempt, startedAt, error);
        ImmutableInterlocked.Update(ref _recent, q => (q.Count() >= Kept ? q.Dequeue() : q).Enqueue(tried));
        return error;
    }
}
