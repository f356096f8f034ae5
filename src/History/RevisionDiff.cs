using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.History;

public static class RevisionDiff
{
    /// <summary>The line diff a revision showed: from the kernel its snapshot found to the state it set out to create.</summary>
    public static IReadOnlyList<DiffLine> Of(RevisionSnapshot snapshot)
    {
        var before = OwnedState.FromJson(snapshot.BeforeStateJson);
        var live = LiveStateBuilder.Build(snapshot.BeforeNatTable, before.Addresses.Select(a => new LiveAddress(a, a.OwnedLabel)).ToArray());
        return FirewallDiffer.Compare(OwnedState.FromJson(snapshot.AfterStateJson), live).Diff;
    }
}
