using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// The iptables backend's change: the one iptables-restore --noflush script, the addresses and flows to change, and the
/// line diff of the ruleset, computed only when someone looks at it (an apply needs the work, not the picture, and at
/// 10,000 rules the picture is most of the cost).
/// </summary>
public sealed record IptablesChange(
    OwnedState Desired,
    KernelState Live,
    string RestoreScript,
    IReadOnlyList<BoundAddress> AddressesToAdd,
    IReadOnlyList<BoundAddress> AddressesToRemove,
    IReadOnlyList<NatRule> RetiredPresent) : IBackendChange
{
    private IReadOnlyList<DiffLine>? _diff;
    private IReadOnlyList<FlowKey>? _flows;

    IOwnedFirewall IBackendChange.Desired => Desired;
    ILiveFirewall IBackendChange.Live => Live;
    public string Transaction => RestoreScript;

    /// <summary>Flows whose conntrack entries an apply deletes; worked out when asked (the verify step does not need them).</summary>
    public IReadOnlyList<FlowKey> FlowsToReset => _flows ??= IptablesDiffer.FlowsToReset(Live.Owned, Desired, RetiredPresent);

    /// <summary>Hand-written rules this state puts back into POSTROUTING (see <see cref="OwnedState.Reinstated"/>) that are missing now.</summary>
    public IReadOnlyList<Jump> ReinstateMissing { get; init; } = [];

    /// <summary>
    /// What undoing this change must put back: the owned part as it is, and the hand-written rules it is about to
    /// delete, at their places in POSTROUTING.
    /// </summary>
    public IOwnedFirewall Undo
    {
        get
        {
            var postrouting = Live.Table.RulesOf(OwnedChains.Postrouting);
            return Live.Owned with
            {
                Reinstated = RetiredPresent.Where(r => r.Chain == OwnedChains.Postrouting)
                    .Select(r => new Jump(IndexOf(postrouting, r) + 1, r)).ToArray(),
            };
        }
    }

    /// <summary>
    /// Nothing to do. An address the plan wants that someone bound by hand counts as there (it is not ours to add or
    /// remove), which is why this is the differ's verdict rather than an equality of owned states.
    /// </summary>
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    public bool RulesChange => RestoreScript.Length > 0;

    /// <summary>Lines of the ruleset view that appear (rules, the jump where it moves, addresses).</summary>
    public int RulesAdded => Counts.Added;
    public int RulesRemoved => Counts.Removed;
    public int LinesAdded => RulesAdded;
    public int LinesRemoved => RulesRemoved;

    public IReadOnlyList<DiffLine> Diff => _diff ??= IptablesDiffer.LineDiff(this);

    public string UnifiedDiff => string.Join('\n', Diff.Select(l => l.Unified));

    private (int Added, int Removed) Counts => _counts ??= IptablesDiffer.CountChanges(this);
    private (int Added, int Removed)? _counts;

    private static int IndexOf(IReadOnlyList<NatRule> rules, NatRule rule)
    {
        for (var i = 0; i < rules.Count; i++)
            if (rules[i].Equals(rule)) return i;
        return -1;
    }
}
