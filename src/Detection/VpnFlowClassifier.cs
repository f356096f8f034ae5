using System.Net;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Inventory;

namespace RouterAdmin.Detection;

/// <summary>
/// What the watch counted leaving the LAN: one LAN host's ESP packets towards one server that had no confirmed
/// conntrack entry when they passed. A healthy flow adds one such packet (its first); a flow whose NAT mapping
/// collides adds every packet, because the kernel drops each one before its entry is confirmed.
/// </summary>
public sealed record WatchedFlow(IPAddress LanHost, IPAddress Server, long UnconfirmedPackets);

public enum VpnFlowState
{
    /// <summary>Leaves through the external address assigned to this host for this server.</summary>
    Fine,

    /// <summary>Leaves through the shared masquerade address: the next LAN host talking ESP to this server will be dropped.</summary>
    AtRisk,

    /// <summary>The kernel drops its packets now: another host already holds the shared address's only ESP mapping to this server.</summary>
    Dropped,
}

/// <summary>One LAN host's ESP to one server, as the console tells the administrator about it.</summary>
public sealed record ClassifiedFlow(
    IPAddress LanHost,
    IPAddress Server,
    VpnFlowState State,
    long UnconfirmedPackets,
    string? LeavesFrom,
    string? ClientName,
    string? EndpointName,
    int? ClientId = null,
    int? EndpointId = null)
{
    /// <summary>"Ann (192.168.1.7)" or just the address of a host the inventory does not know.</summary>
    public string Who => ClientName is null ? LanHost.ToString() : $"{ClientName} ({LanHost})";

    /// <summary>A server no endpoint covers yet: offered as a new endpoint.</summary>
    public bool ServerIsNew => EndpointName is null;
}

/// <summary>
/// Tells the three kinds of VPN user apart from two reads of the router: the watch's counters (now and at the previous
/// check) and the ESP entries in conntrack. Pure: the same reads give the same answer.
/// </summary>
public static class VpnFlowClassifier
{
    public static IReadOnlyList<ClassifiedFlow> Classify(
        IReadOnlyList<WatchedFlow> watched,
        IReadOnlyDictionary<(IPAddress LanHost, IPAddress Server), long> previousCounts,
        IReadOnlyList<ConntrackEntry> conntrack,
        InventorySnapshot inventory)
    {
        var tracked = conntrack
            .Where(e => e.IsEsp)
            .Select(e => (Entry: e, Key: Key(e)))
            .Where(x => x.Key is not null)
            .GroupBy(x => x.Key!.Value)
            .ToDictionary(g => g.Key, g => g.First().Entry);
        var clients = inventory.Clients.GroupBy(c => c.LanAddress).ToDictionary(g => g.Key, g => g.First());
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Id, a => a.Address);

        var result = new List<ClassifiedFlow>();
        foreach (var flow in watched)
        {
            var endpoint = inventory.Endpoints.FirstOrDefault(e => e.Destination.Contains(flow.Server));
            var client = clients.GetValueOrDefault(flow.LanHost);
            var assigned = client is null || endpoint is null ? null : inventory.Assignments
                .Where(a => a.ClientId == client.Id && a.EndpointId == endpoint.Id)
                .Select(a => addresses.GetValueOrDefault(a.ExternalAddressId))
                .FirstOrDefault(a => a is not null);

            VpnFlowState state;
            string? leavesFrom = null;
            if (tracked.TryGetValue((flow.LanHost, flow.Server), out var entry))
            {
                leavesFrom = entry.ReplyDestination;
                state = assigned is not null && assigned.ToString() == leavesFrom ? VpnFlowState.Fine : VpnFlowState.AtRisk;
            }
            else
            {
                // No entry, yet packets that were never confirmed keep coming: each one is dropped. No new packets and no
                // entry is a tunnel that ended; it is not reported.
                var before = previousCounts.GetValueOrDefault((flow.LanHost, flow.Server));
                if (flow.UnconfirmedPackets <= before) continue;
                state = VpnFlowState.Dropped;
            }
            result.Add(new ClassifiedFlow(flow.LanHost, flow.Server, state, flow.UnconfirmedPackets, leavesFrom, client?.Name, endpoint?.Name, client?.Id, endpoint?.Id));
        }
        return result
            .OrderBy(f => f.State switch { VpnFlowState.Dropped => 0, VpnFlowState.AtRisk => 1, _ => 2 })
            .ThenBy(f => f.Server.ToString(), StringComparer.Ordinal)
            .ThenBy(f => f.LanHost.ToString(), StringComparer.Ordinal)
            .ToArray();
    }

    private static (IPAddress, IPAddress)? Key(ConntrackEntry entry) =>
        IPAddress.TryParse(entry.Source, out var source) && IPAddress.TryParse(entry.Destination, out var destination)
            ? (source, destination)
            : null;
}
