using System.Net;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Watch;

/// <summary>
/// A backend's change with the VPN watch's: the watch table is replaced first (its own one transaction), then the
/// backend's rules; the diff shows the watch table's lines after the rules, like any rule RouterAdmin writes.
/// </summary>
public sealed class WatchedChange(IBackendChange inner, IPNetwork? wanted, WatchedLive live, IVpnWatchTable table) : IBackendChange
{
    private IReadOnlyList<DiffLine>? _diff;

    public IBackendChange Inner => inner;
    public IPNetwork? WantedWatch => wanted;
    public bool WatchChanges => !live.Watch.Holds(wanted);

    public IOwnedFirewall Desired => WatchedOwned.With(inner.Desired, wanted);
    public ILiveFirewall Live => live;

    public string Transaction => WatchChanges ? inner.Transaction + $"# VPN watch ({table.DescribeApply()}):\n" + table.Script(wanted) : inner.Transaction;

    public bool RulesChange => inner.RulesChange || WatchChanges;
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    public IReadOnlyList<BoundAddress> AddressesToAdd => inner.AddressesToAdd;
    public IReadOnlyList<BoundAddress> AddressesToRemove => inner.AddressesToRemove;
    public IReadOnlyList<FlowKey> FlowsToReset => inner.FlowsToReset;

    public IOwnedFirewall Undo => WatchedOwned.With(inner.Undo, live.Watch.Lan);

    public IReadOnlyList<DiffLine> Diff => _diff ??= [.. inner.Diff, .. WatchDiff()];

    public int LinesAdded => inner.LinesAdded + (WatchChanges ? table.Lines(new WatchTableState(wanted)).Count : 0);
    public int LinesRemoved => inner.LinesRemoved + (WatchChanges ? table.Lines(live.Watch).Count : 0);

    private IEnumerable<DiffLine> WatchDiff()
    {
        var after = table.Lines(new WatchTableState(wanted));
        if (!WatchChanges) return after.Select(l => new DiffLine(DiffKind.Unchanged, l));
        return table.Lines(live.Watch).Select(l => new DiffLine(DiffKind.Removed, l))
            .Concat(after.Select(l => new DiffLine(DiffKind.Added, l)));
    }
}
