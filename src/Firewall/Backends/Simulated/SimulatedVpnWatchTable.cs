using System.Net;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Backends.Watch;

namespace RouterAdmin.Firewall.Backends.Simulated;

/// <summary>
/// The simulated router's watch table: remembered, never run; shown in the same words as the real one. It counts the
/// flows a demo or a spec hands it (<see cref="Counted"/>), and like the kernel's set only while the watch is applied.
/// </summary>
public sealed class SimulatedVpnWatchTable(NftVpnWatch words) : IVpnWatchTable, IVpnWatch
{
    private WatchTableState _state = WatchTableState.Absent;

    /// <summary>What the set would hold on a real router: each LAN host's unconfirmed ESP packets per server.</summary>
    public IReadOnlyList<WatchedFlow> Counted { get; set; } = [];

    public Task<WatchTableState> ReadStateAsync(CancellationToken ct) => Task.FromResult(_state);

    public Task ApplyAsync(IPNetwork? lan, CancellationToken ct)
    {
        _state = new WatchTableState(lan);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct) =>
        Task.FromResult(_state.Lan is { } lan ? Counted.Where(f => lan.Contains(f.LanHost)).ToArray() : (IReadOnlyList<WatchedFlow>)[]);

    public string Script(IPNetwork? lan) => words.Script(lan);
    public IReadOnlyList<string> Lines(WatchTableState state) => words.Lines(state);
    public string DescribeApply() => "simulated: nft -f - < VPN watch";
}
