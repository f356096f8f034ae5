using RouterAdmin.Firewall.Backends.Netlink;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends;

/// <summary>The router's addresses and connection tracking: the same whatever syntax its rules are written in.</summary>
public interface IHostNetwork
{
    Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken);

    Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken);
    Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken);

    /// <summary>The conntrack entries of these flows now: a read, so it may run beside the verify.</summary>
    Task<FoundFlows> FindFlowsAsync(IReadOnlyList<FlowKey> flows, CancellationToken cancellationToken);

    /// <summary>Deletes the entries found; returns how many went (one already gone does not count).</summary>
    Task<int> DeleteFlowsAsync(FoundFlows found, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken);

    /// <summary>The commands an operation runs, as text for the preview and the history.</summary>
    string DescribeAddAddress(BoundAddress address);
    string DescribeDeleteAddress(BoundAddress address);
    string DescribeResetFlow(FlowKey flow);
}

/// <summary>Conntrack entries found for flows whose mapping changed, to be deleted once the change is verified.</summary>
public sealed record FoundFlows(IReadOnlyList<ConntrackNetlink.Entry> Entries)
{
    public static readonly FoundFlows None = new([]);
}
