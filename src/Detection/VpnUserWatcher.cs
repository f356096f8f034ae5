using System.Net;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Inventory;

namespace RouterAdmin.Detection;

/// <summary>Where the counts come from: the kernel's watch table, or nothing (the simulated backend, or the watch off).</summary>
public interface IVpnWatch
{
    Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct);
}

/// <summary>A VPN user as the dashboard lists it: the flow, since when it has been in this state, and its MAC and name when known.</summary>
public sealed record DetectedVpnUser(ClassifiedFlow Flow, DateTimeOffset Since, string? Mac = null, string? Hostname = null);

public sealed record VpnUserReport(IReadOnlyList<DetectedVpnUser> Users, DateTimeOffset CheckedAt, TimeSpan CheckDuration)
{
    public static readonly VpnUserReport NotChecked = new([], DateTimeOffset.MinValue, TimeSpan.Zero);

    public IEnumerable<DetectedVpnUser> Dropped => Users.Where(u => u.Flow.State == VpnFlowState.Dropped);

    public IEnumerable<DetectedVpnUser> AtRisk => Users.Where(u => u.Flow.State == VpnFlowState.AtRisk);

    /// <summary>ESP servers that no endpoint covers: offered as new endpoints.</summary>
    public IReadOnlyList<IPAddress> NewServers => Users.Where(u => u.Flow.ServerIsNew).Select(u => u.Flow.Server).Distinct().ToArray();
}

/// <summary>
/// Checks the watch against conntrack and the inventory, and remembers between checks what a single read cannot tell:
/// whose unconfirmed count grew (the dropped ones) and since when each user has been in its state.
/// </summary>
public sealed class VpnUserWatcher(IVpnWatch watch, IFirewallBackend backend, InventoryStore inventory, HostIdentities identities, TimeProvider clock)
{
    private readonly SemaphoreSlim _oneCheck = new(1, 1);
    private Dictionary<(IPAddress, IPAddress), long> _previousCounts = [];
    private Dictionary<(IPAddress, IPAddress, VpnFlowState), DateTimeOffset> _since = [];

    public VpnUserReport Current { get; private set; } = VpnUserReport.NotChecked;

    /// <summary>Raised after each check with its report, for the dashboard and the notifications.</summary>
    public event Action<VpnUserReport>? Checked;

    public async Task<VpnUserReport> CheckAsync(CancellationToken ct = default)
    {
        await _oneCheck.WaitAsync(ct);
        try
        {
            var started = clock.GetTimestamp();
            var now = clock.GetUtcNow();
            var watched = await watch.ReadAsync(ct);
            var snapshot = await inventory.CaptureAsync(ct);
            var flows = VpnFlowClassifier.Classify(watched, _previousCounts, await backend.ListFlowsAsync(ct), snapshot);
            var known = await identities.LookUpAsync(flows.Select(f => f.LanHost).ToArray(), snapshot, ct);

            _previousCounts = watched.ToDictionary(w => (w.LanHost, w.Server), w => w.UnconfirmedPackets);
            var since = new Dictionary<(IPAddress, IPAddress, VpnFlowState), DateTimeOffset>();
            var users = flows.Select(f =>
            {
                var key = (f.LanHost, f.Server, f.State);
                since[key] = _since.GetValueOrDefault(key, now);
                var who = known.GetValueOrDefault(f.LanHost) ?? HostIdentity.Unknown;
                return new DetectedVpnUser(f, since[key], who.Mac, who.Hostname);
            }).ToArray();
            _since = since;

            Current = new VpnUserReport(users, now, clock.GetElapsedTime(started));
            Checked?.Invoke(Current);
            return Current;
        }
        finally
        {
            _oneCheck.Release();
        }
    }
}
