using System.Net;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Backends.Watch;

namespace RouterAdmin.Firewall.Backends.Simulated;

/// <summary>The simulated router's watch table: remembered, never run; shown in the same words as the real one.</summary>
public sealed class SimulatedVpnWatchTable(NftVpnWatch words) : IVpnWatchTable
{
    private WatchTableState _state = WatchTableState.Absent;

    public Task<WatchTableState> ReadStateAsync(CancellationToken ct) => Task.FromResult(_state);

    public Task ApplyAsync(IPNetwork? lan, CancellationToken ct)
    {
        _state = new WatchTableState(lan);
        return Task.CompletedTask;
    }

    public string Script(IPNetwork? lan) => words.Script(lan);
    public IReadOnlyList<string> Lines(WatchTableState state) => words.Lines(state);
    public string DescribeApply() => "simulated: nft -f - < VPN watch";
}
