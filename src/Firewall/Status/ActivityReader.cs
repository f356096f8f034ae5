using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Inventory;

namespace RouterAdmin.Firewall.Status;

/// <summary>One assignment as the kernel sees it: its rule's counters and its live flows.</summary>
public sealed record AssignmentActivity(
    int ClientId,
    string Client,
    string ClientAddress,
    string Endpoint,
    string ExternalAddress,
    bool RuleInKernel,
    long Packets,
    long Bytes,
    int EspFlows,
    int IkeFlows,
    IReadOnlyList<string> LeavesFrom)
{
    /// <summary>Up when an ESP flow to the endpoint exists and leaves from the assigned address.</summary>
    public bool TunnelUp => EspFlows > 0 && LeavesFrom.Contains(ExternalAddress);
}

/// <summary>
/// Answers "is Alice's VPN up?": the packet and byte counters of each assignment's SNAT rule (connections, since the nat
/// table sees a flow's first packet) and its live ESP and IKE conntrack entries with the address they leave from.
/// </summary>
public sealed class ActivityReader(IFirewallBackend backend, InventoryStore inventory)
{
    public async Task<IReadOnlyList<AssignmentActivity>> ReadAsync(CancellationToken ct = default)
    {
        var snapshot = await inventory.CaptureAsync(ct);
        var (_, counted) = IptablesSaveParser.ParseWithCounters(await backend.SaveNatTableAsync(withCounters: true, ct));
        var counters = new Dictionary<(IPNetwork, IPNetwork), (long Packets, long Bytes)>();
        foreach (var entry in counted.Where(c => c.Rule.Chain == OwnedChains.Snat))
            if (SnatMapping.TryParse(entry.Rule, out var mapping))
                counters[mapping.Flow] = (entry.Packets, entry.Bytes);
        var flows = await backend.ListFlowsAsync(ct);

        var clients = snapshot.Clients.ToDictionary(c => c.Id);
        var endpoints = snapshot.Endpoints.ToDictionary(e => e.Id);
        var addresses = snapshot.ExternalAddresses.ToDictionary(a => a.Id);
        var bySource = flows.GroupBy(f => f.Source).ToDictionary(g => g.Key, g => g.ToArray());
        return snapshot.Assignments.Select(a =>
        {
            var client = clients[a.ClientId];
            var endpoint = endpoints[a.EndpointId];
            var flow = (new IPNetwork(client.LanAddress, 32), endpoint.Destination);
            var hasRule = counters.TryGetValue(flow, out var count);
            var clientFlows = bySource.GetValueOrDefault(client.LanAddress.ToString(), [])
                .Where(f => IPAddress.TryParse(f.Destination, out var d) && endpoint.Destination.Contains(d))
                .ToArray();
            var esp = clientFlows.Where(f => f.Protocol == "esp").ToArray();
            var ike = clientFlows.Where(f => f.Protocol == "udp").ToArray();
            return new AssignmentActivity(client.Id, client.Name, client.LanAddress.ToString(), endpoint.Name, addresses[a.ExternalAddressId].Address.ToString(),
                hasRule, count.Packets, count.Bytes, esp.Length, ike.Length,
                clientFlows.Select(f => f.ReplyDestination).Distinct().ToArray());
        })
        .OrderByDescending(a => a.EspFlows).ThenByDescending(a => a.Packets).ThenBy(a => Ipv4.ToUInt32(IPAddress.Parse(a.ClientAddress)))
        .ToArray();
    }
}
