using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends;

/// <summary>A part that leaves the router's addresses and connection tracking to the host network it was given.</summary>
public abstract class HostNetworkForwarder(IHostNetwork host) : IHostNetwork
{
    public Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken) => host.ReadAddressesAsync(cancellationToken);
    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) => host.AddAddressAsync(address, cancellationToken);
    public Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken) => host.DeleteAddressAsync(address, cancellationToken);
    public Task<FoundFlows> FindFlowsAsync(IReadOnlyList<FlowKey> flows, CancellationToken cancellationToken) => host.FindFlowsAsync(flows, cancellationToken);
    public Task<int> DeleteFlowsAsync(FoundFlows found, CancellationToken cancellationToken) => host.DeleteFlowsAsync(found, cancellationToken);
    public Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken) => host.ListFlowsAsync(cancellationToken);
    public string DescribeAddAddress(BoundAddress address) => host.DescribeAddAddress(address);
    public string DescribeDeleteAddress(BoundAddress address) => host.DescribeDeleteAddress(address);
    public string DescribeResetFlow(FlowKey flow) => host.DescribeResetFlow(flow);
}
