using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.LiveState;

/// <summary>Reads the router (real or simulated) into the model the planner produces.</summary>
public sealed class LiveStateReader(IFirewallBackend backend)
{
    public async Task<Model.KernelState> ReadAsync(CancellationToken cancellationToken = default)
    {
        var natTable = backend.SaveNatTableAsync(withCounters: false, cancellationToken);
        var addresses = backend.ReadAddressesAsync(cancellationToken);
        return LiveStateBuilder.Build(await natTable, await addresses);
    }
}
