using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Import;
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
    TimeSpan CheckDuration = default,
    ILiveFirewall? Live = null,
    bool ImportOffer = false,
    string? Handover = null)
{
    /// <summary>A switch of backend is what is pending (the other backend's state is still on the router): not drift.</summary>
    public bool PendingSwitch => Pending && Handover is not null;

    public bool Pending => !InSync && Error is null;
    public bool Drifted => Drift is { InSync: false };
}

/// <summary>The backend as the pages name it.</summary>
public sealed record BackendDescription(string Name, bool TouchesKernel, string? Namespace);

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
    private readonly DriftOptions _options;
    private readonly Lock _queueLock = new();
    private DateTimeOffset _firstRequest, _lastRequest;
    private Task? _queued;
    private long _reads;

    /// <summary>How many times the router has been read for a status since start: what coalescing saves is counted here.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public FirewallStatusMonitor(ApplyEngine engine, InventoryChanges inventory, ApplyGate gate, IFirewallBackend backend, IOptions<DriftOptions> options, TimeProvider clock, ILogger<FirewallStatusMonitor> logger)
    {
        (_engine, _gate, _clock, _logger) = (engine, gate, clock, logger);
        _options = options.Value;
        _backend = backend;
        _inventorySubscription = inventory.NotifyOnChange(OnSomethingChanged);
        _gate.Changed += OnApplyChanged;
    }

    private readonly IFirewallBackend _backend;

    /// <summary>Which backend the console drives, for the banner: its name, not the object that can change the kernel.</summary>
    public BackendDescription Backend => new(_backend.Name, _backend.TouchesKernel, _backend.Namespace);

    public FirewallStatus? Current => _current;

    /// <summary>Raised after every recomputation; handlers must be cheap and thread-safe.</summary>
    public event Action? Changed;

    public async Task<FirewallStatus> GetAsync(CancellationToken ct = default) => _current ?? await RefreshAsync(ct);

    public async Task<FirewallStatus> RefreshAsync(CancellationToken ct = default)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            return await RefreshHoldingAsync(ct);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>The one kernel read behind every answer; callers hold <see cref="_refreshing"/>.</summary>
    private async Task<FirewallStatus> RefreshHoldingAsync(CancellationToken ct)
    {
        FirewallStatus status;
        try
        {
            var started = _clock.GetTimestamp();
            var check = await _engine.CheckAsync(ct);
            // Hand-written rules to take over are worth offering only to an inventory that has no assignments yet.
            var importOffer = check.Inventory.Assignments.Count == 0 && ImportPlanner.Scan(check.Inventory, check.Live).HasAnything;
            status = new FirewallStatus(_clock.GetUtcNow(), check.Pending.InSync, check.Pending.RulesAdded, check.Pending.RulesRemoved, null,
                check.BaselineRevisionId, check.Drift, _clock.GetElapsedTime(started), check.Live, importOffer,
                check.Pending.InSync ? null : check.Pending.Words.Handover);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not read the router's state");
            status = new FirewallStatus(_clock.GetUtcNow(), false, 0, 0, e.Message);
        }
        _current = status;
        Interlocked.Increment(ref _reads);
        Changed?.Invoke();
        return status;
    }

    private void OnSomethingChanged() => RequestRefresh();

    private void OnApplyChanged()
    {
        if (_gate.Running is null) RequestRefresh();
    }

    /// <summary>
    /// Asks for a recomputation without waiting for it. Requests made while one is queued join it: a burst of N edits
    /// costs the refresh already running (if any) and one more, not N reads of the kernel.
    /// </summary>
    public Task RequestRefresh()
    {
        lock (_queueLock)
        {
            _lastRequest = _clock.GetUtcNow();
            if (_queued is null) _firstRequest = _lastRequest;
            return _queued ??= RunQueuedAsync();
        }
    }

    private async Task RunQueuedAsync()
    {
        await Task.Yield();
        try
        {
            // Wait for the edits to pause (or for the longest delay allowed), then read once for all of them.
            while (true)
            {
                TimeSpan wait;
                lock (_queueLock)
                {
                    var due = _lastRequest + _options.RefreshDelay;
                    var latest = _firstRequest + _options.RefreshMaxDelay;
                    wait = (due < latest ? due : latest) - _clock.GetUtcNow();
                }
                if (wait <= TimeSpan.Zero) break;
                await Task.Delay(wait, _clock);
            }
            await _refreshing.WaitAsync();
            // From here on this refresh reads the inventory and the kernel, so a later edit needs a refresh of its own.
            lock (_queueLock) _queued = null;
            try { await RefreshHoldingAsync(CancellationToken.None); }
            finally { _refreshing.Release(); }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_queueLock) _queued = null;
            _logger.LogWarning(e, "Status refresh failed");
        }
    }

    public void Dispose()
    {
        _inventorySubscription.Dispose();
        _gate.Changed -= OnApplyChanged;
    }
}
