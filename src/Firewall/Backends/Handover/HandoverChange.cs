using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Handover;

/// <summary>
/// A change that touches both backends' state: each backend's own change (its transaction in its own syntax), run one
/// after the other so that a mapped client always has a mapping: the side that installs goes first and is verified,
/// then the side that removes. A switch installs the owner first; an undo of it puts the previous owner back first.
/// </summary>
public sealed class HandoverChange(
    IBackendChange owner, IBackendChange previous, HandoverOwned desired, HandoverLive live, bool previousFirst, HandoverSides sides) : IBackendChange
{
    private IReadOnlyList<FlowKey>? _flows;
    private IReadOnlyList<DiffLine>? _diff;

    public IBackendChange OwnerChange => owner;
    public IBackendChange PreviousChange => previous;

    /// <summary>The previous owner's rules are put back (an undo) before the owner stops translating those flows.</summary>
    public bool PreviousFirst => previousFirst;

    public IOwnedFirewall Desired => desired;
    public ILiveFirewall Live => live;

    /// <summary>What the history shows: the previous owner's part is a note on the owner's transaction.</summary>
    public string PreviousNote => previousFirst ? sides.Note.Returning : live.PreviousHolds ? sides.Note.Leaving : sides.Note.TakingOver;

    /// <summary>Both transactions, each headed by what it is, in the order they run (each is a comment in the other's syntax too).</summary>
    public string Transaction
    {
        get
        {
            if (!previous.RulesChange) return owner.Transaction;
            var previousPart = $"# {PreviousNote} ({sides.Previous.TransactionTool}):\n{previous.Transaction}";
            if (!owner.RulesChange) return previousPart;
            var ownerPart = $"# {sides.OwnerArtefact} ({sides.Owner.TransactionTool}):\n{owner.Transaction}";
            return previousFirst ? previousPart + ownerPart : ownerPart + previousPart;
        }
    }

    public bool RulesChange => owner.RulesChange || previous.RulesChange;
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    // Addresses are the host's: the owner binds and unbinds them; the previous owner's view of them is ignored.
    public IReadOnlyList<BoundAddress> AddressesToAdd => owner.AddressesToAdd;
    public IReadOnlyList<BoundAddress> AddressesToRemove => owner.AddressesToRemove;

    /// <summary>
    /// Each side alone would reset every flow it adds or removes; across a switch the flow leaves from the same address
    /// before and after (the other side held it), so only flows whose address really changes are reset.
    /// </summary>
    public IReadOnlyList<FlowKey> FlowsToReset => _flows ??= WorkOutFlows();

    public IOwnedFirewall Undo => new HandoverOwned(owner.Undo, previous.Undo, live.PreviousHolds, sides);

    public IReadOnlyList<DiffLine> Diff => _diff ??=
        [.. owner.Diff, new DiffLine(DiffKind.Unchanged, "# " + PreviousNote), .. previous.Diff];

    public int LinesAdded => owner.LinesAdded + previous.LinesAdded;
    public int LinesRemoved => owner.LinesRemoved + previous.LinesRemoved;

    private FlowKey[] WorkOutFlows()
    {
        var wanted = desired.ToPlan();
        var retired = wanted.TakenOver.ToHashSet(StringComparer.Ordinal);
        var handWritten = live.ForeignSnat.Where(r => retired.Contains(r.Text)).Select(r => r.Mapping).OfType<FoundMapping>();
        var before = sides.Effective(live.OwnerLive.Owned.ToPlan(), live.PreviousLive?.Owned.ToPlan() ?? Planning.FirewallPlan.Nothing, handWritten);
        var after = sides.Effective(desired.Owner.ToPlan(), desired.Previous.ToPlan(), []);
        return owner.FlowsToReset.Concat(previous.FlowsToReset).Distinct()
            .Where(flow => !Equals(before.GetValueOrDefault((flow.Source, flow.Destination)), after.GetValueOrDefault((flow.Source, flow.Destination))))
            .ToArray();
    }
}
