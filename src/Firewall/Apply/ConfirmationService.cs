using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Firewall.Apply;

/// <summary>The change waiting to be confirmed, for the countdown every page shows.</summary>
public sealed record PendingConfirmation(int RevisionId, string Actor, string Reason, DateTimeOffset Deadline);

/// <summary>
/// "commit confirmed", as JunOS, iptables-apply and OPNsense do it: a change applied with a confirmation window is
/// undone automatically unless someone confirms it in time, so a rule that cuts the administrator off heals itself.
/// The deadline is a TimeProvider timer, so tests advance time instead of sleeping.
/// </summary>
public sealed class ConfirmationService : IDisposable
{
    private readonly RevisionStore _revisions;
    private readonly ApplyEngine _engine;
    private readonly ApplyGate _gate;
    private readonly TimeProvider _clock;
    private readonly ILogger<ConfirmationService> _logger;
    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private PendingConfirmation? _pending;

    public ConfirmationService(RevisionStore revisions, ApplyEngine engine, ApplyGate gate, TimeProvider clock, ILogger<ConfirmationService> logger)
    {
        (_revisions, _engine, _gate, _clock, _logger) = (revisions, engine, gate, clock, logger);
        _gate.Changed += OnApplyChanged;
    }

    public PendingConfirmation? Pending => _pending;

    /// <summary>Raised when a confirmation window opens or closes; handlers must be cheap and thread-safe.</summary>
    public event Action? Changed;

    /// <summary>The task of the last automatic rollback, so callers (and tests) can wait for it to finish.</summary>
    public Task LastExpiry { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// At start-up, a change still awaiting confirmation is rolled back at once: the process that would have undone it
    /// is gone, nobody confirmed it, and the previous state is the only one known to work.
    /// </summary>
    public async Task<int> RollBackUnconfirmedAtStartupAsync(CancellationToken ct = default)
    {
        var unconfirmed = await _revisions.WithStatusAsync(RevisionStatus.AwaitingConfirmation, ct);
        foreach (var revision in unconfirmed)
        {
            await using var _ = await _gate.EnterAsync(Actor.System.Name, "automatic rollback", _clock, ct);
            var result = await _engine.RevertUnconfirmedAsync(revision, $"service restarted before revision {revision.Id} was confirmed", ct);
            _logger.LogWarning("Revision {Revision} was awaiting confirmation at start-up: {Result}", revision.Id, result.Message);
        }
        await RefreshAsync(ct);
        return unconfirmed.Count;
    }

    public async Task ConfirmAsync(int revisionId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var _ = await _gate.EnterAsync(actor.Name, "confirm", _clock, ct);
        await _revisions.ConfirmAsync(revisionId, actor.Name, ct);
        await RefreshAsync(ct);
    }

    /// <summary>"Roll back now": the administrator does not wait for the deadline.</summary>
    public async Task<ApplyResult> RollBackNowAsync(int revisionId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var result = await ExpireAsync(revisionId, $"{actor.Name} rolled back revision {revisionId} before confirming it", ct);
        return result ?? throw new Conflict($"Revision {revisionId} is not awaiting confirmation any more.");
    }

    /// <summary>Reads the pending confirmation (if any) and arms the timer for its deadline.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        var revision = (await _revisions.WithStatusAsync(RevisionStatus.AwaitingConfirmation, ct)).LastOrDefault(r => r.ConfirmDeadline is not null);
        var pending = revision is null ? null : new PendingConfirmation(revision.Id, revision.Actor, revision.Reason, revision.ConfirmDeadline!.Value);
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
            if (pending is not null)
            {
                var due = pending.Deadline - _clock.GetUtcNow();
                _timer = _clock.CreateTimer(_ => LastExpiry = ExpireAsync(pending.RevisionId, $"revision {pending.RevisionId} was not confirmed by {pending.Deadline:HH:mm:ss} UTC", CancellationToken.None),
                    null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            }
            _pending = pending;
        }
        Changed?.Invoke();
    }

    private async Task<ApplyResult?> ExpireAsync(int revisionId, string reason, CancellationToken ct)
    {
        try
        {
            ApplyResult? result = null;
            await using (var _ = await _gate.EnterAsync(Actor.System.Name, "automatic rollback", _clock, ct))
            {
                var revision = await _revisions.FindAsync(revisionId, ct);
                // Confirmed (or superseded) while the timer was on its way: nothing to undo.
                if (revision?.Status == RevisionStatus.AwaitingConfirmation)
                {
                    result = await _engine.RevertUnconfirmedAsync(revision, reason, ct);
                    _logger.LogWarning("Revision {Revision} rolled back: {Reason}. {Result}", revisionId, reason, result.Message);
                    if (result.Kind != ApplyResultKind.Applied) await SettleAsync(revisionId, result, ct);
                }
            }
            await RefreshAsync(ct);
            return result;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Rolling back unconfirmed revision {Revision} failed", revisionId);
            throw;
        }
    }

    /// <summary>
    /// A revert that did not run still ends the confirmation window, or the timer would fire again at once: with
    /// nothing to do the kernel already held the previous state (reverted); a failure leaves the change in effect,
    /// marked so, on the dashboard and in the history, for a person to act on.
    /// </summary>
    private async Task SettleAsync(int revisionId, ApplyResult result, CancellationToken ct)
    {
        var settled = await _revisions.SettleUnconfirmedAsync(revisionId, reverted: result.Kind == ApplyResultKind.NothingToDo,
            result.Kind == ApplyResultKind.NothingToDo
                ? "Not confirmed in time; the router already held the previous state."
                : $"Not confirmed in time, and the automatic rollback failed: {result.Message} {result.Error}".TrimEnd(), ct);
        if (settled == RevisionStatus.RevertFailed)
            _logger.LogError("Revision {Revision} was not confirmed and could not be rolled back: {Result}", revisionId, result.Message);
    }

    private void OnApplyChanged()
    {
        // An apply just ended: it may have opened (or superseded) a confirmation window.
        if (_gate.Running is null) _ = RefreshQuietlyAsync();
    }

    private async Task RefreshQuietlyAsync()
    {
        try { await RefreshAsync(); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning(e, "Refreshing the confirmation state failed"); }
    }

    public void Dispose()
    {
        _gate.Changed -= OnApplyChanged;
        lock (_timerLock) _timer?.Dispose();
    }
}
