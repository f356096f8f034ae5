using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.LiveState;

/// <summary>Reads the router (real or simulated) into the model the planner produces.</summary>
public sealed class LiveStateReader(IFirewallBackend backend)
{
    public async Task<Model.KernelState> ReadAsync(CancellationToken cancellationToken = default)
    {
        var (natTable, addresses) = await ReadRawAsync(cancellationToken);
        return LiveStateBuilder.Build(natTable, addresses);
    }

    /// <summary>What the tools printed, unparsed: the verify step compares text first and parses only if that fails.</summary>
    public async Task<(string NatTable, IReadOnlyList<LiveAddress> Addresses)> ReadRawAsync(CancellationToken cancellationToken = default)
    {
        var natTable = backend.SaveNatTableAsync(withCounters: false, cancellationToken);
        var addresses = backend.ReadAddressesAsync(cancellationToken);
        return (await natTable, await addresses);
    }
}
