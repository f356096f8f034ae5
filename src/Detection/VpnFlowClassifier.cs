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

/// <summary>What the console saw of a VPN user's traffic.</summary>
public enum VpnTraffic
{
    /// <summary>ESP (IP protocol 50): the tunnel's data, which collides behind a shared address.</summary>
    Esp,

    /// <summary>Only IKE on UDP 500 so far: the key exchange that comes before ESP. IKE itself is never dropped (masquerade
    /// gives a second host another source port), but its ESP will be, once it starts, if it leaves from the shared address.</summary>
    Ike,
}

/// <summary>One LAN host's ESP (or, before ESP starts, IKE) to one server, as the console tells the administrator about it.</summary>
/// <param name="LeavesFromPort">For IKE, the source port it leaves from after NAT: another than 500 means another host holds 500 there.</param>
public sealed record ClassifiedFlow(
    IPAddress LanHost,
    IPAddress Server,
    VpnFlowState State,
    long UnconfirmedPackets,
    string? LeavesFrom,
    string? ClientName,
    string? EndpointName,
    int? ClientId = null,
    int? EndpointId = null,
    VpnTraffic Traffic = VpnTraffic.Esp,
    int? LeavesFromPort = null)
{
    /// <summary>"Ann (192.168.1.7)" or just the address of a host the inventory does not know.</summary>
    public string Who => ClientName is null ? LanHost.ToString() : $"{ClientName} ({LanHost})";

    /// <summary>A server no endpoint covers yet: offered as a new endpoint.</summary>
    public bool ServerIsNew => EndpointName is null;
}

/// <summary>
/// Tells the three kinds of VPN user apart from two reads of the router: the watch's counters (now and at the previous
/// check) and conntrack's ESP and IKE entries. Pure: the same reads give the same answer.
/// </summary>
/// <remarks>
/// A host is reported when the watch counted its ESP, when conntrack holds an ESP entry of its that leaves the router
/// translated (the watch's set forgets a tunnel 15 minutes after its last unconfirmed packet; conntrack keeps it while it
/// lives), or when conntrack holds only its IKE (UDP 500) to a server: a VPN user before its ESP starts. A pair that
/// also talks UDP 4500 uses NAT Traversal, whose ESP travels in UDP and is remapped by port: it cannot collide, so its
/// IKE alone is not reported.
/// </remarks>
public static class VpnFlowClassifier
{
    public static IReadOnlyList<ClassifiedFlow> Classify(
        IReadOnlyList<WatchedFlow> watched,
        IReadOnlyDictionary<(IPAddress LanHost, IPAddress Server), long> previousCounts,
        IReadOnlyList<ConntrackEntry> conntrack,
        InventorySnapshot inventory)
    {
        var lan = inventory.Settings.LanSubnet;
        var fromLan = conntrack
            .Select(e => (Entry: e, Key: Key(e)))
            .Where(x => x.Key is { } key && lan.Contains(key.LanHost) && !lan.Contains(key.Server))
            .Select(x => (x.Entry, Key: x.Key!.Value))
            .ToArray();
        var esp = First(fromLan.Where(x => x.Entry.IsEsp));
        var ike = First(fromLan.Where(x => x.Entry.IsIkeExchange && Translated(x.Entry)));
        var natTraversal = fromLan.Where(x => x.Entry.IsNatTraversal).Select(x => x.Key).ToHashSet();
        var counted = watched.GroupBy(w => (w.LanHost, w.Server)).ToDictionary(g => g.Key, g => g.First().UnconfirmedPackets);

        var clients = inventory.Clients.GroupBy(c => c.LanAddress).ToDictionary(g => g.Key, g => g.First());
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Id, a => a.Address);

        // Every pair seen: counted by the watch, tracked as ESP leaving translated, or (not NAT-T) tracked only as IKE.
        var pairs = counted.Keys
            .Concat(esp.Where(p => Translated(p.Value)).Select(p => p.Key))
            .Concat(ike.Keys.Where(k => !natTraversal.Contains(k)))
            .Distinct();

        var result = new List<ClassifiedFlow>();
        foreach (var (host, server) in pairs)
        {
            var endpoint = inventory.Endpoints.FirstOrDefault(e => e.Destination.Contains(server));
            var client = clients.GetValueOrDefault(host);
            var assigned = client is null || endpoint is null ? null : inventory.Assignments
                .Where(a => a.ClientId == client.Id && a.EndpointId == endpoint.Id)
                .Select(a => addresses.GetValueOrDefault(a.ExternalAddressId))
                .FirstOrDefault(a => a is not null);
            var packets = counted.GetValueOrDefault((host, server));

            var traffic = VpnTraffic.Esp;
            string? leavesFrom = null;
            int? leavesFromPort = null;
            VpnFlowState state;
            if (esp.TryGetValue((host, server), out var entry))
            {
                leavesFrom = entry.ReplyDestination;
                state = assigned is not null && assigned.ToString() == leavesFrom ? VpnFlowState.Fine : VpnFlowState.AtRisk;
            }
            else if (counted.ContainsKey((host, server)))
            {
                // No entry, yet packets that were never confirmed keep coming: each one is dropped. No new packets and no
                // entry is a tunnel that ended; it is not reported.
                if (packets <= previousCounts.GetValueOrDefault((host, server))) continue;
                state = VpnFlowState.Dropped;
            }
            else
            {
                var exchange = ike[(host, server)];
                (traffic, leavesFrom, leavesFromPort) = (VpnTraffic.Ike, exchange.ReplyDestination, exchange.ReplyDestinationPort);
                state = assigned is not null && assigned.ToString() == leavesFrom ? VpnFlowState.Fine : VpnFlowState.AtRisk;
            }
            result.Add(new ClassifiedFlow(host, server, state, packets, leavesFrom, client?.Name, endpoint?.Name, client?.Id, endpoint?.Id, traffic, leavesFromPort));
        }
        return result
            .OrderBy(f => f.State switch { VpnFlowState.Dropped => 0, VpnFlowState.AtRisk => 1, _ => 2 })
            .ThenBy(f => f.Server.ToString(), StringComparer.Ordinal)
            .ThenBy(f => f.LanHost.ToString(), StringComparer.Ordinal)
            .ToArray();
    }

    private static Dictionary<(IPAddress LanHost, IPAddress Server), ConntrackEntry> First(
        IEnumerable<(ConntrackEntry Entry, (IPAddress LanHost, IPAddress Server) Key)> entries) =>
        entries.GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().Entry);

    /// <summary>Leaves the router from another address than its own: through a masquerade or a SNAT rule.</summary>
    private static bool Translated(ConntrackEntry entry) => entry.ReplyDestination != entry.Source;

    private static (IPAddress LanHost, IPAddress Server)? Key(ConntrackEntry entry) =>
        IPAddress.TryParse(entry.Source, out var source) && IPAddress.TryParse(entry.Destination, out var destination)
            ? (source, destination)
            : null;
}
