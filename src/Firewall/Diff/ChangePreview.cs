using System.Net;
using System.Security.Cryptography;
using System.Text;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Diff;

public enum DiffKind { Unchanged, Added, Removed }

public sealed record DiffLine(DiffKind Kind, string Text)
{
    public string Unified => (Kind switch { DiffKind.Added => "+ ", DiffKind.Removed => "- ", _ => "  " }) + Text;
}

/// <summary>Traffic between these two whose conntrack entries must go, because its SNAT mapping changed or went away.</summary>
public sealed record FlowKey(IPNetwork Source, IPNetwork Destination)
{
    public override string ToString() => $"{Source} → {Destination}";
}

/// <summary>
/// Everything an administrator sees before anything runs: the line diff of the ruleset and the exact work an apply
/// will do, in order. The fingerprint lets the apply refuse to run anything other than what was previewed.
/// </summary>
public sealed record ChangePreview(
    OwnedState Desired,
    KernelState Live,
    IReadOnlyList<DiffLine> Diff,
    string RestoreScript,
    IReadOnlyList<BoundAddress> AddressesToAdd,
    IReadOnlyList<BoundAddress> AddressesToRemove,
    IReadOnlyList<FlowKey> FlowsToReset)
{
    /// <summary>Hand-written rules the inventory has taken over that are still in the kernel; the apply deletes them.</summary>
    public IReadOnlyList<NatRule> RetiredPresent { get; init; } = [];

    /// <summary>
    /// Nothing to do. An address the plan wants that someone bound by hand counts as there (it is not ours to add or
    /// remove), which is why this is the differ's verdict rather than an equality of owned states.
    /// </summary>
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    /// <summary>For a rollback: a stamp of the inventory it will overwrite, so edits made after the preview refuse the apply.</summary>
    public string? InventoryStamp { get; init; }
    public bool RulesChange => RestoreScript.Length > 0;
    public int RulesAdded => Diff.Count(l => l.Kind == DiffKind.Added);
    public int RulesRemoved => Diff.Count(l => l.Kind == DiffKind.Removed);

    public string UnifiedDiff => string.Join('\n', Diff.Select(l => l.Unified));

    public string Fingerprint
    {
        get
        {
            var text = new StringBuilder(RestoreScript);
            foreach (var a in AddressesToAdd) text.Append("\n+addr ").Append(a);
            foreach (var a in AddressesToRemove) text.Append("\n-addr ").Append(a);
            foreach (var f in FlowsToReset) text.Append("\nflow ").Append(f);
            if (InventoryStamp is not null) text.Append("\ninventory ").Append(InventoryStamp);
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        }
    }
}
