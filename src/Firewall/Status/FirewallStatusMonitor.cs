using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Inventory;

namespace RouterAdmin.Firewall.Status;

/// <summary>
/// Whether the router matches the inventory (pending changes), and whether it still matches the last applied revision
/// (drift: someone flushed the chain, put a rule above the jump, removed an address, or the router rebooted with no restore).
/// </summary>
public sealed record FirewallStatus(
    DateTimeOffset CheckedAt,
    bool InSync,
    int LinesAdded,
    int LinesRemoved,
    string? Error,
    int? BaselineRevisionId = null,
    ChangePreview? Drift = null,
    TimeSpan CheckDuration = default)
{
    public bool Pending => !InSync && Error is null;
    public bool Drifted => Drift is { InSync: false };
}

/// <summary>
/// Keeps one answer to "does the kernel match the inventory?" for every page (the pending-changes badge, the dashboard),
/// recomputed when the inventory changes or an apply ends, so each page view does not read the kernel again.
/// </summary>
public sealed class FirewallStatusMonitor : IDisposable
{
    private readonly ApplyEngine _engine;
    private readonly IDisposable _inventorySubscription;
    private readonly ApplyGate _gate;
    private readonly TimeProvider _clock;
    private readonly ILogger<FirewallStatusMonitor> _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private FirewallStatus? _current;

    public FirewallStatusMonitor(ApplyEngine engine, InventoryChanges inventory, ApplyGate gate, IFirewallBackend backend, TimeProvider clock, ILogger<FirewallStatusMonitor> logger)
    {
        (_engine, _gate, _clock, _logger) = (engine, gate, clock, logger);
        Backend = backend;
        _inventorySubscription = inventory.NotifyOnChange(OnSomethingChanged);
        _gate.Changed += OnApplyChanged;
    }

    public IFirewallBackend Backend { get; }

    public FirewallStatus? Current => _current;

    /// <summary>Raised after every recomputation; handlers must be cheap and thread-safe.</summary>
    public event Action? Changed;

    public async Task<FirewallStatus> GetAsync(CancellationToken ct = default) => _current ?? await RefreshAsync(ct);

    public async Task<FirewallStatus> RefreshAsync(CancellationToken ct = default)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            FirewallStatus status;
            try
            {
                var started = _clock.GetTimestamp();
                var check = await _engine.CheckAsync(ct);
                status = new FirewallStatus(_clock.GetUtcNow(), check.Pending.InSync, check.Pending.RulesAdded, check.Pending.RulesRemoved, null,
                    check.BaselineRevisionId, check.Drift, _clock.GetElapsedTime(started));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Could not read the router's state");
                status = new FirewallStatus(_clock.GetUtcNow(), false, 0, 0, e.Message);
            }
            _current = status;
            Changed?.Invoke();
            return status;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private void OnSomethingChanged() => _ = RefreshQuietlyAsync();

    private void OnApplyChanged()
    {
        if (_gate.Running is null) _ = RefreshQuietlyAsync();
    }

    private async Task RefreshQuietlyAsync()
    {
        try { await RefreshAsync(); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning(e, "Status refresh failed"); }
    }

    public void Dispose()
    {
        _inventorySubscription.Dispose();
        _gate.Changed -= OnApplyChanged;
    }
}
