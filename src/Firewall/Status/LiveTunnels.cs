using System.Net;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;

namespace RouterAdmin.Firewall.Status;

/// <summary>A VPN tunnel that is up now and will re-key after the apply, because its conntrack entries are reset.</summary>
public sealed record TunnelToRekey(string Who, int EspFlows, int IkeFlows)
{
    public override string ToString() =>
        $"{Who} ({string.Join(", ", new[] { EspFlows > 0 ? $"{EspFlows} ESP" : null, IkeFlows > 0 ? $"{IkeFlows} IKE" : null }.OfType<string>())})";
}

/// <summary>
/// Which live VPN tunnels an apply will interrupt for a moment: the mappings it changes that have ESP or IKE entries
/// in conntrack right now. Those entries are deleted so the next packet takes the new address, and the peers re-key.
/// </summary>
public sealed class LiveTunnels(IFirewallBackend backend)
{
    public async Task<IReadOnlyList<TunnelToRekey>> ToRekeyAsync(ChangePreview preview, CancellationToken ct = default)
    {
        if (preview.FlowsToReset.Count == 0) return [];
        var entries = await backend.ListFlowsAsync(ct);
        return preview.Words.Mappings
            .Select(change => (change, flows: entries.Where(e => Belongs(e, change.Client, change.Endpoint)).ToArray()))
            .Where(x => x.flows.Any(f => f.IsEsp || f.IsIke))
            .Select(x => new TunnelToRekey(x.change.Who, x.flows.Count(f => f.IsEsp), x.flows.Count(f => f.IsIke)))
            .ToArray();
    }

    private static bool Belongs(ConntrackEntry entry, IPAddress client, IPNetwork endpoint) =>
        IPAddress.TryParse(entry.Source, out var source) && source.Equals(client)
        && IPAddress.TryParse(entry.Destination, out var destination) && endpoint.Contains(destination);
}
