using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends;
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
/// Answers "is Alice's VPN up?" for one page of assignments: the counters of each one's mapping (new flows, since the
/// nat table sees a flow's first packet) from a read of the router the caller already has, and its live ESP and IKE
/// conntrack entries with the address they leave from. The page comes from the database, not from the whole inventory.
/// </summary>
public sealed class ActivityReader(IFirewallBackend backend, AssignmentService assignments)
{
    public async Task<Page<AssignmentActivity>> ReadPageAsync(ILiveFirewall live, PageRequest request, CancellationToken ct = default)
    {
        var page = assignments.GetPageAsync(request, ct: ct);
        var flows = await backend.ListFlowsAsync(ct);
        var counters = new Dictionary<(IPNetwork, IPNetwork), (long Packets, long Bytes)>();
        foreach (var entry in live.Counters)
            counters[entry.Mapping.Flow] = (entry.Packets, entry.Bytes);
        var bySource = flows.GroupBy(f => f.Source).ToDictionary(g => g.Key, g => g.ToArray());
        var rows = await page;
        return new Page<AssignmentActivity>(rows.Items.Select(a =>
        {
            var destination = Ipv4.ParseNetwork(a.Destination);
            var hasRule = counters.TryGetValue((new IPNetwork(IPAddress.Parse(a.ClientAddress), 32), destination), out var count);
            var clientFlows = bySource.GetValueOrDefault(a.ClientAddress, [])
                .Where(f => IPAddress.TryParse(f.Destination, out var d) && destination.Contains(d))
                .ToArray();
            var esp = clientFlows.Count(f => f.IsEsp);
            var ike = clientFlows.Count(f => f.IsIke);
            return new AssignmentActivity(a.ClientId, a.ClientName, a.ClientAddress, a.EndpointName, a.ExternalAddress,
                hasRule, count.Packets, count.Bytes, esp, ike, clientFlows.Select(f => f.ReplyDestination).Distinct().ToArray());
        }).ToArray(), rows.Total);
    }
}
