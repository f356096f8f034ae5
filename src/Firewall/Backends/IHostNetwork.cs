using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends;

/// <summary>The router's addresses and connection tracking: the same whatever syntax its rules are written in.</summary>
public interface IHostNetwork
{
    Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken);

    Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken);
    Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken);

    /// <summary>Deletes the conntrack entries of a flow; returns how many went (0 when none matched).</summary>
    Task<int> ResetFlowAsync(FlowKey flow, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken);

    /// <summary>The commands an operation runs, as text for the preview and the history.</summary>
    string DescribeAddAddress(BoundAddress address);
    string DescribeDeleteAddress(BoundAddress address);
    string DescribeResetFlow(FlowKey flow);
}
