using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.TestSupport;

/// <summary>Passes everything to the real (simulated) backend, after an optional act of sabotage.</summary>
public sealed class SabotagedBackend(IIptablesHost inner) : IIptablesHost
{
    public IIptablesHost Inner => inner;

    /// <summary>Runs once, just before the next restore transaction.</summary>
    public Func<IIptablesHost, Task>? BeforeNextRestore { get; set; }

    /// <summary>Runs once, just after the next restore transaction went through.</summary>
    public Func<IIptablesHost, Task>? AfterNextRestore { get; set; }

    /// <summary>Runs once, just before the next address is removed.</summary>
    public Func<IIptablesHost, BoundAddress, Task>? BeforeNextAddressDeletion { get; set; }

    /// <summary>Awaited before every read of the nat table while set: lets a spec hold a status refresh in the middle of its read.</summary>
    public Func<Task>? BeforeEachSave { get; set; }

    public string Name => inner.Name;
    public bool TouchesKernel => inner.TouchesKernel;
    public string? Namespace => inner.Namespace;

    public async Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken)
    {
        if (BeforeEachSave is { } pause) await pause();
        return await inner.SaveNatTableAsync(withCounters, cancellationToken);
    }
    public Task<RouterAdmin.Firewall.Backends.Nftables.NftGeneration.Reading?> ReadGenerationAsync(CancellationToken cancellationToken) =>
        inner.ReadGenerationAsync(cancellationToken);
    public Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken) => inner.ReadAddressesAsync(cancellationToken);

    public async Task RestoreAsync(string script, CancellationToken cancellationToken)
    {
        if (BeforeNextRestore is { } sabotage) { BeforeNextRestore = null; await sabotage(inner); }
        await inner.RestoreAsync(script, cancellationToken);
        if (AfterNextRestore is { } meddling) { AfterNextRestore = null; await meddling(inner); }
    }

    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) => inner.AddAddressAsync(address, cancellationToken);

    public async Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken)
    {
        if (BeforeNextAddressDeletion is { } sabotage) { BeforeNextAddressDeletion = null; await sabotage(inner, address); }
        await inner.DeleteAddressAsync(address, cancellationToken);
    }

    public Task<FoundFlows> FindFlowsAsync(IReadOnlyList<FlowKey> flows, CancellationToken cancellationToken) => inner.FindFlowsAsync(flows, cancellationToken);
    public Task<int> DeleteFlowsAsync(FoundFlows found, CancellationToken cancellationToken) => inner.DeleteFlowsAsync(found, cancellationToken);
    /// <summary>While set, what conntrack lists: live tunnels for a router that has none of its own (the simulated one).</summary>
    public IReadOnlyList<ConntrackEntry>? LiveFlows { get; set; }

    public Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken) =>
        LiveFlows is { } flows ? Task.FromResult(flows) : inner.ListFlowsAsync(cancellationToken);
    public string DescribeRestore() => inner.DescribeRestore();
    public string DescribeAddAddress(BoundAddress address) => inner.DescribeAddAddress(address);
    public string DescribeDeleteAddress(BoundAddress address) => inner.DescribeDeleteAddress(address);
    public string DescribeResetFlow(FlowKey flow) => inner.DescribeResetFlow(flow);
}
