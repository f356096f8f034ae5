using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Prometheus;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Inventory;

namespace RouterAdmin.Api.Metrics;

/// <summary>
/// The console's Prometheus metrics, read when a scrape arrives from the services the pages use: the applies from the
/// revisions (so they count every apply since the database began, the verbs' and the ones before a restart too), the
/// pending and drift answer of <see cref="FirewallStatusMonitor"/>, the endpoints' free addresses, and per assignment
/// the tunnel and its mapping's counters as the Activity table reads them (<see cref="ActivityReader"/>).
/// A registry of its own, so two consoles in one process (the tests) never share a series.
/// </summary>
public sealed class RouterMetrics
{
    private static readonly string[] AssignmentLabels = ["client", "client_address", "endpoint", "external_address"];

    private readonly IDbContextFactory<AppDbContext> _dbFactory;
    private readonly FirewallStatusMonitor _monitor;
    private readonly ActivityReader _activity;
    private readonly EndpointService _endpoints;
    private readonly TimeProvider _clock;
    private readonly MetricsOptions _options;
    private readonly SemaphoreSlim _collecting = new(1, 1);

    private readonly Counter _applies, _applySeconds, _rulePackets, _ruleBytes;
    private readonly Gauge _lastApplySeconds, _lastApplySucceeded, _lastApplyTime, _revision, _pending, _pendingAdded, _pendingRemoved,
        _drift, _readError, _free, _assigned, _tunnelUp, _ruleInKernel;

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public RouterMetrics(IDbContextFactory<AppDbContext> dbFactory, FirewallStatusMonitor monitor, ActivityReader activity, EndpointService endpoints,
        TimeProvider clock, IOptions<MetricsOptions> options)
    {
        (_dbFactory, _monitor, _activity, _endpoints, _clock, _options) = (dbFactory, monitor, activity, endpoints, clock, options.Value);
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        _applies = f.CreateCounter("routeradmin_applies_total", "Changes of the router by kind (apply, rollback, …) and how they ended.", "kind", "result");
        _applySeconds = f.CreateCounter("routeradmin_apply_duration_seconds_total", "Time the changes took, from planning to the record, by kind and result.", "kind", "result");
        _lastApplySeconds = f.CreateGauge("routeradmin_last_apply_duration_seconds", "How long the newest finished change took.");
        _lastApplySucceeded = f.CreateGauge("routeradmin_last_apply_success", "1 when the newest finished change left the router as planned.");
        _lastApplyTime = f.CreateGauge("routeradmin_last_apply_timestamp_seconds", "When the newest finished change ended (Unix time).");
        _revision = f.CreateGauge("routeradmin_revision_in_effect", "The revision the router is expected to hold (0: nothing applied yet).");
        _pending = f.CreateGauge("routeradmin_pending_changes", "1 when the inventory holds changes that are not on the router yet.");
        _pendingAdded = f.CreateGauge("routeradmin_pending_lines_added", "Lines of the router's text an apply would add now.");
        _pendingRemoved = f.CreateGauge("routeradmin_pending_lines_removed", "Lines of the router's text an apply would remove now.");
        _drift = f.CreateGauge("routeradmin_drift", "1 when the router no longer holds what the revision in effect put there.");
        _readError = f.CreateGauge("routeradmin_router_read_error", "1 when the router could not be read; the other router figures are then the last ones read.");
        _free = f.CreateGauge("routeradmin_endpoint_free_addresses", "External addresses no client uses towards the endpoint yet.", "endpoint", "destination");
        _assigned = f.CreateGauge("routeradmin_endpoint_assigned_addresses", "External addresses a client leaves from towards the endpoint.", "endpoint", "destination");
        _tunnelUp = f.CreateGauge("routeradmin_tunnel_up", "1 when an ESP flow of the client to the endpoint leaves from its assigned address.", AssignmentLabels);
        _ruleInKernel = f.CreateGauge("routeradmin_rule_in_kernel", "1 when the assignment's mapping is on the router.", AssignmentLabels);
        _rulePackets = f.CreateCounter("routeradmin_rule_packets_total", "Packets the assignment's mapping translated: the first packet of each new flow (nat rules see no others).", AssignmentLabels);
        _ruleBytes = f.CreateCounter("routeradmin_rule_bytes_total", "Bytes of those first packets.", AssignmentLabels);
        Registry.AddBeforeCollectCallback(CollectAsync);
    }

    private async Task CollectAsync(CancellationToken ct)
    {
        await _collecting.WaitAsync(ct);
        try
        {
            await CollectAppliesAsync(ct);
            var status = _monitor.Current is { } current && _clock.GetUtcNow() - current.CheckedAt <= _options.MaxStatusAge
                ? current
                : await _monitor.RefreshAsync(ct);
            _readError.Set(status.Error is null ? 0 : 1);
            if (status.Error is null)
            {
                _revision.Set(status.BaselineRevisionId ?? 0);
                _pending.Set(status.Pending ? 1 : 0);
                _pendingAdded.Set(status.LinesAdded);
                _pendingRemoved.Set(status.LinesRemoved);
                _drift.Set(status.Drifted ? 1 : 0);
            }
            await CollectEndpointsAsync(ct);
            if (status.Live is { } live) await CollectAssignmentsAsync(live, ct);
        }
        finally
        {
            _collecting.Release();
        }
    }

    private async Task CollectAppliesAsync(CancellationToken ct)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var finished = (await db.Revisions.AsNoTracking().Where(r => r.FinishedAt != null)
            .Select(r => new { r.Id, r.Kind, r.Status, r.StartedAt, FinishedAt = r.FinishedAt!.Value }).ToListAsync(ct))
            .Select(r => (r.Id, Kind: Label(r.Kind.ToString()), Result: Label(r.Status.ToString()), Seconds: (r.FinishedAt - r.StartedAt).TotalSeconds, r.FinishedAt, r.Status))
            .ToArray();
        foreach (var group in finished.GroupBy(r => (r.Kind, r.Result)))
        {
            _applies.WithLabels(group.Key.Kind, group.Key.Result).IncTo(group.Count());
            _applySeconds.WithLabels(group.Key.Kind, group.Key.Result).IncTo(group.Sum(r => r.Seconds));
        }
        if (finished.MaxBy(r => r.Id) is { Id: > 0 } last)
        {
            _lastApplySeconds.Set(last.Seconds);
            _lastApplySucceeded.Set(last.Status is RevisionStatus.Applied or RevisionStatus.AwaitingConfirmation ? 1 : 0);
            _lastApplyTime.Set(last.FinishedAt.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    private async Task CollectEndpointsAsync(CancellationToken ct)
    {
        var rows = await _endpoints.ListAsync(ct: ct);
        var seen = new HashSet<string[]>(LabelsComparer.Instance);
        foreach (var e in rows)
        {
            string[] labels = [e.Name, e.Destination];
            seen.Add(labels);
            _free.WithLabels(labels).Set(e.Total - e.Used);
            _assigned.WithLabels(labels).Set(e.Used);
        }
        RemoveOthers(_free, seen);
        RemoveOthers(_assigned, seen);
    }

    private async Task CollectAssignmentsAsync(Firewall.Backends.ILiveFirewall live, CancellationToken ct)
    {
        var page = await _activity.ReadPageAsync(live, new PageRequest(0, int.MaxValue), ct);
        var seen = new HashSet<string[]>(LabelsComparer.Instance);
        foreach (var a in page.Items)
        {
            string[] labels = [a.Client, a.ClientAddress, a.Endpoint, a.ExternalAddress];
            seen.Add(labels);
            _tunnelUp.WithLabels(labels).Set(a.TunnelUp ? 1 : 0);
            _ruleInKernel.WithLabels(labels).Set(a.RuleInKernel ? 1 : 0);
            SetCounter(_rulePackets, labels, a.Packets);
            SetCounter(_ruleBytes, labels, a.Bytes);
        }
        foreach (var collector in new Collector[] { _tunnelUp, _ruleInKernel, _rulePackets, _ruleBytes }) RemoveOthers(collector, seen);
    }

    /// <summary>The kernel's counter as it is; after a reset (the mapping was put back) the series starts again, as Prometheus expects.</summary>
    private static void SetCounter(Counter counter, string[] labels, long value)
    {
        var child = counter.WithLabels(labels);
        if (value < child.Value)
        {
            child.Remove();
            child = counter.WithLabels(labels);
        }
        child.IncTo(value);
    }

    /// <summary>Series of endpoints and assignments that no longer exist go, instead of staying at their last value.</summary>
    private static void RemoveOthers(Collector collector, HashSet<string[]> seen)
    {
        switch (collector)
        {
            case Gauge gauge:
                foreach (var labels in gauge.GetAllLabelValues().Where(l => !seen.Contains(l)).ToArray()) gauge.WithLabels(labels).Remove();
                break;
            case Counter counter:
                foreach (var labels in counter.GetAllLabelValues().Where(l => !seen.Contains(l)).ToArray()) counter.WithLabels(labels).Remove();
                break;
        }
    }

    /// <summary>"AwaitingConfirmation" → "awaiting_confirmation", the label style of Prometheus.</summary>
    private static string Label(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private sealed class LabelsComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelsComparer Instance = new();
        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(string[] labels) => labels.Aggregate(17, (h, l) => HashCode.Combine(h, l));
    }
}
