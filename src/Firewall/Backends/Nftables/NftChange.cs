using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The nftables backend's change: its one <c>nft -f</c> transaction (the whole table, or only the elements that
/// change), the addresses and flows to change, and the line diff of the table as nft prints it, built when shown.
/// </summary>
public sealed record NftChange(
    string Table,
    NftOwnedState Desired,
    NftLiveState Live,
    string Transaction,
    bool ReplacesTable,
    IReadOnlyList<BoundAddress> AddressesToAdd,
    IReadOnlyList<BoundAddress> AddressesToRemove) : IBackendChange
{
    private IReadOnlyList<DiffLine>? _diff;
    private IReadOnlyList<FlowKey>? _flows;
    private (int Added, int Removed)? _counts;

    IOwnedFirewall IBackendChange.Desired => Desired;
    ILiveFirewall IBackendChange.Live => Live;

    public IOwnedFirewall Undo => Live.Owned;

    public bool RulesChange => Transaction.Length > 0;
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    public IReadOnlyList<FlowKey> FlowsToReset => _flows ??= NftDiffer.FlowsToReset(Live.Owned, Desired);

    public IReadOnlyList<DiffLine> Diff => _diff ??= TextDiff.Lines(View(Live.Owned), View(Desired));

    // Counted from the lines of both views (each line is unique in its table), so the history need not run the diff.
    public int LinesAdded => Counts.Added;
    public int LinesRemoved => Counts.Removed;

    private (int Added, int Removed) Counts => _counts ??= CountLines();

    private string View(NftOwnedState state) => NftSyntax.Table(Table, state, withAddresses: true);

    private (int, int) CountLines()
    {
        var before = View(Live.Owned).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var after = View(Desired).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var beforeSet = before.ToHashSet(StringComparer.Ordinal);
        var afterSet = after.ToHashSet(StringComparer.Ordinal);
        return (after.Count(l => !beforeSet.Contains(l)), before.Count(l => !afterSet.Contains(l)));
    }
}
