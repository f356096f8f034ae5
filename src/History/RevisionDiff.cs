using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;

namespace RouterAdmin.History;

public static class RevisionDiff
{
    /// <summary>The line diff a revision showed: from the router its snapshot found to the state it set out to create.</summary>
    public static IReadOnlyList<DiffLine> Of(RevisionSnapshot snapshot, IFirewallBackend backend)
    {
        var before = backend.Load(snapshot.BeforeStateJson);
        return backend.Compare(backend.Load(snapshot.AfterStateJson), backend.Reconstruct(snapshot.BeforeNatTable, before)).Diff;
    }
}
