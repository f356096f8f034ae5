using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Notifications;
using RouterAdmin.Security;

namespace RouterAdmin.Firewall.Status;

/// <summary>What the drift policy has done since start, for the dashboard.</summary>
public sealed record DriftRepairState(
    DriftPolicy Policy,
    int Repairs,
    int InARow,
    DateTimeOffset? LastRepairAt,
    int? LastRepairRevisionId,
    string? StoppedBecause = null,
    DateTimeOffset? StoppedAt = null)
{
    public bool Stopped => StoppedBecause is not null;
}

/// <summary>
/// One background drift check and what follows from it. With <see cref="DriftPolicy.Alert"/> a new drift is notified.
/// With <see cref="DriftPolicy.Repair"/> it is re-applied through <see cref="ApplyEngine.ReapplyAsync"/> (the same
/// revision, steps, verify and restore-on-failure as the dashboard's button) as the system, like kube-proxy's resync
/// but on the record: at most once per check interval, never while a change awaits confirmation (the deadline's
/// rollback decides that state), and not after a repair failed or the drift came back more than
/// <see cref="DriftOptions.MaxRepairsInARow"/> times in a row: then it stops and alerts until a check finds the router clean.
/// </summary>
public sealed class DriftRepair(
    FirewallStatusMonitor monitor,
    ApplyEngine engine,
    ConfirmationService confirmations,
    Notifier notifier,
    IOptions<DriftOptions> options,
    TimeProvider clock,
    ILogger<DriftRepair> logger)
{
    private readonly SemaphoreSlim _checking = new(1, 1);
    private ImmutableList<Action> _subscribers = [];
    private DriftRepairState _state = new(options.Value.Policy, 0, 0, null, null);
    private int? _alertedBaseline;
    private DateTimeOffset? _lastRepairCheck;

    public DriftRepairState State => _state;

    /// <summary>Called after the state changes; disposing the result unsubscribes. Callbacks must be cheap and thread-safe.</summary>
    public IDisposable NotifyOnChange(Action callback)
    {
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(callback));
        return new Unsubscriber(() => ImmutableInterlocked.Update(ref _subscribers, list => list.Remove(callback)));
    }

    /// <summary>Reads the router once and acts on what it finds; returns the status it read.</summary>
    public async Task<FirewallStatus> CheckAsync(CancellationToken ct = default)
    {
        await _checking.WaitAsync(ct);
        try
        {
            var checkedAt = clock.GetUtcNow();
            var status = await monitor.RefreshAsync(ct);
            if (status.Error is not null) return status;
            if (!status.Drifted)
            {
                Clean();
                return status;
            }
            if (_state.Policy == DriftPolicy.Alert || _state.Stopped)
            {
                AlertOnce(status);
                return status;
            }
            return await RepairAsync(status, checkedAt, ct);
        }
        finally { _checking.Release(); }
    }

    private async Task<FirewallStatus> RepairAsync(FirewallStatus status, DateTimeOffset checkedAt, CancellationToken ct)
    {
        if (confirmations.Pending is { } pending)
        {
            // The confirmation's own deadline decides: repairing now would confirm or undo a change nobody has judged yet.
            logger.LogWarning("Drift from revision {Revision} not repaired: revision {Pending} awaits confirmation", status.BaselineRevisionId, pending.RevisionId);
            AlertOnce(status);
            return status;
        }
        // Ticks are an interval apart; the slack lets a tick that fires a hair early still count as the next one.
        if (_lastRepairCheck is { } last && checkedAt - last < options.Value.CheckInterval * 0.9) return status;
        if (_state.InARow >= options.Value.MaxRepairsInARow)
        {
            Stop(status, $"the drift came back {_state.InARow + 1} times in a row (at most {options.Value.MaxRepairsInARow} repairs in a row)");
            return status;
        }

        _lastRepairCheck = checkedAt;
        var drift = status.Drift!;
        var result = await engine.ReapplyAsync(new ApplyRequest(Actor.System,
            $"drift repair: the router no longer matched revision {status.BaselineRevisionId} ({drift.RulesAdded + drift.RulesRemoved} line(s))", drift.Fingerprint), ct);
        if (result.Kind == ApplyResultKind.Refused)
        {
            // The router moved between the check and the repair: the next tick looks again.
            logger.LogWarning("Drift repair refused: {Message}", result.Message);
            return status;
        }
        if (!result.Succeeded)
        {
            Stop(status, $"the repair failed: {result.Message}");
            return status;
        }
        var now = clock.GetUtcNow();
        Publish(_state with { Repairs = _state.Repairs + 1, InARow = _state.InARow + 1, LastRepairAt = now, LastRepairRevisionId = result.RevisionId });
        logger.LogWarning("Drift from revision {Revision} repaired as revision {Repair} ({InARow} in a row)", status.BaselineRevisionId, result.RevisionId, _state.InARow);
        notifier.Raise(NotificationKind.DriftRepaired, $"Drift repaired: revision {status.BaselineRevisionId} re-applied",
            $"The router no longer matched revision {status.BaselineRevisionId}; RouterAdmin put it back as revision {result.RevisionId} ({_state.InARow} repair(s) in a row, {_state.Repairs} since start).",
            Facts(status, ("repairRevision", result.RevisionId?.ToString(CultureInfo.InvariantCulture) ?? ""), ("inARow", _state.InARow.ToString(CultureInfo.InvariantCulture))));
        return await monitor.RefreshAsync(ct);
    }

    private void Clean()
    {
        _alertedBaseline = null;
        if (_state.InARow != 0 || _state.Stopped) Publish(_state with { InARow = 0, StoppedBecause = null, StoppedAt = null });
    }

    private void AlertOnce(FirewallStatus status)
    {
        if (_alertedBaseline == status.BaselineRevisionId) return;
        _alertedBaseline = status.BaselineRevisionId;
        logger.LogWarning("The router has drifted from revision {Revision}: {Lines} line(s) differ", status.BaselineRevisionId, status.Drift!.RulesAdded + status.Drift.RulesRemoved);
        notifier.Raise(NotificationKind.Drift, $"The router drifted from revision {status.BaselineRevisionId}",
            $"The kernel no longer matches revision {status.BaselineRevisionId} ({status.Drift.RulesAdded} line(s) missing, {status.Drift.RulesRemoved} unexpected). Re-apply it or adopt the live state on the dashboard.",
            Facts(status));
    }

    private void Stop(FirewallStatus status, string because)
    {
        _alertedBaseline = status.BaselineRevisionId;
        Publish(_state with { StoppedBecause = because, StoppedAt = clock.GetUtcNow() });
        logger.LogError("Drift repair stopped: {Because}", because);
        notifier.Raise(NotificationKind.DriftRepairStopped, $"Drift repair stopped: revision {status.BaselineRevisionId} is not in effect",
            $"RouterAdmin stopped repairing drift because {because}. The router still differs from revision {status.BaselineRevisionId}: look at the dashboard.",
            Facts(status, ("because", because)));
    }

    private static Dictionary<string, string> Facts(FirewallStatus status, params (string Key, string Value)[] more)
    {
        var facts = new Dictionary<string, string>
        {
            ["revision"] = status.BaselineRevisionId?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["linesMissing"] = status.Drift!.RulesAdded.ToString(CultureInfo.InvariantCulture),
            ["linesUnexpected"] = status.Drift.RulesRemoved.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more) facts[key] = value;
        return facts;
    }

    private void Publish(DriftRepairState state)
    {
        _state = state;
        foreach (var subscriber in _subscribers) subscriber();
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
