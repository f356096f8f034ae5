using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.History;
using RouterAdmin.Inventory;

namespace RouterAdmin.Notifications;

/// <summary>
/// Turns what the console already publishes into notifications, without the apply path knowing about them: an apply
/// that ended failed (the gate says an apply ended; the history says how), a confirmation deadline coming close, an
/// endpoint whose pool just ran out. Drift and its repair are raised by <c>DriftRepair</c> itself.
/// </summary>
public sealed class NotificationSources(
    Notifier notifier,
    ApplyGate gate,
    HistoryService history,
    ConfirmationService confirmations,
    InventoryChanges inventory,
    PoolCapacity pools,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationSources> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _looking = new(1, 1);
    private readonly Lock _timerLock = new();
    private IDisposable? _inventorySubscription;
    private int _lastRevisionSeen;
    private HashSet<int> _exhausted = [];
    private ITimer? _confirmationTimer;
    private int? _warnedFor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // What was already so at start is not news: only what happens from here on is told.
        _lastRevisionSeen = (await history.GetLastAsync(cancellationToken))?.Id ?? 0;
        _exhausted = (await pools.ReadAsync(cancellationToken)).Where(IsExhausted).Select(p => p.EndpointId).ToHashSet();
        gate.Changed += OnApplyChanged;
        confirmations.Changed += OnConfirmationChanged;
        _inventorySubscription = inventory.NotifyOnChange(LookAtPoolsAsync);
        OnConfirmationChanged();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>An endpoint nobody can be assigned to any more, while someone already is (no addresses at all is a new router).</summary>
    private static bool IsExhausted(EndpointPool pool) => pool.Exhausted && pool.Used > 0;

    private void OnApplyChanged()
    {
        if (gate.Running is null) _ = Quietly(LookAtLastRevisionAsync);
    }

    private async Task LookAtLastRevisionAsync()
    {
        await _looking.WaitAsync();
        try
        {
            var last = await history.GetLastAsync();
            if (last is null || last.Id <= _lastRevisionSeen) return;
            _lastRevisionSeen = last.Id;
            if (last.Status is not (RevisionStatus.Failed or RevisionStatus.FailedNotRestored)) return;
            notifier.Raise(NotificationKind.ApplyFailed, $"Revision {last.Id} failed ({last.Kind.Describe(last.RollbackTargetId)} by {last.Actor})",
                $"The {last.FailedStep} step failed: {last.Error} {last.Outcome}".Trim(),
                new Dictionary<string, string>
                {
                    ["revision"] = last.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["actor"] = last.Actor,
                    ["reason"] = last.Reason, ["step"] = last.FailedStep ?? "", ["restored"] = (last.Status == RevisionStatus.Failed).ToString().ToLowerInvariant(),
                });
        }
        finally { _looking.Release(); }
    }

    private async Task LookAtPoolsAsync()
    {
        await _looking.WaitAsync();
        try
        {
            var now = (await pools.ReadAsync()).Where(IsExhausted).ToArray();
            foreach (var pool in now.Where(p => !_exhausted.Contains(p.EndpointId)))
                notifier.Raise(NotificationKind.PoolExhausted, $"No external address left for {pool.Endpoint}",
                    $"All {pool.Total} external address(es) already serve a client towards {pool.Endpoint}: the next client will be refused. Add an external address.",
                    new Dictionary<string, string> { ["endpoint"] = pool.Endpoint, ["total"] = pool.Total.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            _exhausted = now.Select(p => p.EndpointId).ToHashSet();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Could not read the address pools for notifications");
        }
        finally { _looking.Release(); }
    }

    private void OnConfirmationChanged()
    {
        var pending = confirmations.Pending;
        lock (_timerLock)
        {
            if (pending?.RevisionId == _warnedFor && _confirmationTimer is not null) return;
            _confirmationTimer?.Dispose();
            _confirmationTimer = null;
            _warnedFor = pending?.RevisionId;
            if (pending is null) return;
            var left = pending.Deadline - clock.GetUtcNow();
            var lead = options.Value.ConfirmationWarning < left / 2 ? options.Value.ConfirmationWarning : left / 2;
            var due = left - lead;
            _confirmationTimer = clock.CreateTimer(_ => WarnIfStillPending(pending), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private void WarnIfStillPending(PendingConfirmation pending)
    {
        if (confirmations.Pending?.RevisionId != pending.RevisionId) return;
        notifier.Raise(NotificationKind.ConfirmationExpiring, $"Revision {pending.RevisionId} is undone at {pending.Deadline:HH:mm:ss} UTC unless confirmed",
            $"{pending.Actor} applied it ({pending.Reason}) and asked to confirm it; nobody has yet. Confirm it on the console, or it rolls back by itself.",
            new Dictionary<string, string>
            {
                ["revision"] = pending.RevisionId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["deadline"] = pending.Deadline.ToString("O"), ["actor"] = pending.Actor,
            });
    }

    private async Task Quietly(Func<Task> look)
    {
        try { await look(); }
        catch (Exception e) when (e is not OutOfMemoryException) { logger.LogWarning(e, "Looking for notifications failed"); }
    }

    public void Dispose()
    {
        gate.Changed -= OnApplyChanged;
        confirmations.Changed -= OnConfirmationChanged;
        _inventorySubscription?.Dispose();
        lock (_timerLock) _confirmationTimer?.Dispose();
    }
}
