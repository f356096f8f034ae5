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

    /// <summary>Taken-over hand-written rules still in the kernel: this change deletes them by handle.</summary>
    public IReadOnlyList<NftForeignRule> RetiredPresent { get; init; } = [];

    /// <summary>Hand-written rules the wanted state puts back (an undo) that are missing now.</summary>
    public IReadOnlyList<NftForeignRule> ReinstateMissing { get; init; } = [];

    /// <summary>The elements deleted and added, when the change edits only the map's elements.</summary>
    public (IReadOnlyList<Planning.SnatMapping> Remove, IReadOnlyList<Planning.SnatMapping> Add)? ElementEdits { get; init; }

    // An element edit with no hand-written rule leaving or coming back: flows and line counts follow from the edited
    // elements alone, without comparing and printing all 10,000 of each side.
    private bool OnlyElements => ElementEdits is not null && RetiredPresent.Count == 0 && ReinstateMissing.Count == 0
        && Live.Owned.Elements.Count > 0 && Desired.Elements.Count > 0;

    /// <summary>Putting the router back as this change found it: the owned table as it is, and the hand-written rules it deletes, at their places.</summary>
    public IOwnedFirewall Undo => RetiredPresent.Count == 0 && Live.Owned.Reinstated.Count == 0 ? Live.Owned : Live.Owned with { Reinstated = RetiredPresent };

    public bool RulesChange => Transaction.Length > 0;
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    public IReadOnlyList<FlowKey> FlowsToReset => _flows ??= OnlyElements
        ? NftDiffer.FlowsToReset(ElementEdits!.Value.Remove, ElementEdits.Value.Add)
        : NftDiffer.FlowsToReset(Live.Owned, Desired, RetiredPresent, ReinstateMissing);

    public IReadOnlyList<DiffLine> Diff => _diff ??= TextDiff.Lines(Before, After);

    // Counted from the lines of both views (each line is unique in its table), so the history need not run the diff.
    public int LinesAdded => Counts.Added;
    public int LinesRemoved => Counts.Removed;

    private (int Added, int Removed) Counts => _counts ??= OnlyElements ? CountEdits() : NothingBefore ? (NftSyntax.LineCount(Desired, withAddresses: true) + HandWrittenLines(ReinstateMissing), 0) : CountLines();

    // A first apply: the router held nothing of RouterAdmin's, so every line of the new table is added (10,000 of
    // them, counted without writing them).
    private bool NothingBefore => !Live.Owned.Exists && Live.Owned.Addresses.Count == 0 && RetiredPresent.Count == 0;

    private static int HandWrittenLines(IReadOnlyList<NftForeignRule> rules) => rules.Count == 0 ? 0 : 1 + rules.Count;

    // Each element is one line of its own in both views, and so is each address; nothing else differs.
    private (int, int) CountEdits()
    {
        var (remove, add) = ElementEdits!.Value;
        var before = Live.Owned.Addresses.ToHashSet();
        var after = Desired.Addresses.ToHashSet();
        // The addresses' heading line is there only when there are addresses.
        var heading = (after.Count > 0 && before.Count == 0 ? 1 : 0, before.Count > 0 && after.Count == 0 ? 1 : 0);
        return (add.Count + after.Count(a => !before.Contains(a)) + heading.Item1, remove.Count + before.Count(a => !after.Contains(a)) + heading.Item2);
    }

    // The hand-written rules that go or come back are part of the picture: the administrator sees them leave.
    private string Before => View(Live.Owned, RetiredPresent);
    private string After => View(Desired, ReinstateMissing);

    private string View(NftOwnedState state, IReadOnlyList<NftForeignRule> handWritten) =>
        NftSyntax.Table(Table, state, withAddresses: true)
        + (handWritten.Count == 0 ? "" : "# hand-written rules in other tables\n" + string.Concat(handWritten.Select(r => r.Text + "\n")));

    private (int, int) CountLines()
    {
        var before = Before.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var after = After.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var beforeSet = before.ToHashSet(StringComparer.Ordinal);
        var afterSet = after.ToHashSet(StringComparer.Ordinal);
        return (after.Count(l => !beforeSet.Contains(l)), before.Count(l => !afterSet.Contains(l)));
    }
}
