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
    public bool Matches(IPAddress source, IPAddress destination) => Source.Contains(source) && Destination.Contains(destination);

    public override string ToString() => $"{Source} → {Destination}";
}

/// <summary>
/// Everything an administrator sees before anything runs: the line diff of the ruleset and the exact work an apply
/// will do, in order. The fingerprint lets the apply refuse to run anything other than what was previewed.
/// The line diff is computed only when someone looks at it: an apply needs the work, not the picture, and at
/// 10,000 rules the picture is most of the cost.
/// </summary>
public sealed record ChangePreview(
    OwnedState Desired,
    KernelState Live,
    string RestoreScript,
    IReadOnlyList<BoundAddress> AddressesToAdd,
    IReadOnlyList<BoundAddress> AddressesToRemove,
    IReadOnlyList<NatRule> RetiredPresent)
{
    private IReadOnlyList<DiffLine>? _diff;
    private IReadOnlyList<FlowKey>? _flows;

    /// <summary>Flows whose conntrack entries an apply deletes; worked out when asked (the verify step does not need them).</summary>
    public IReadOnlyList<FlowKey> FlowsToReset => _flows ??= FirewallDiffer.FlowsToReset(Live.Owned, Desired, RetiredPresent);

    /// <summary>Hand-written rules this state puts back into POSTROUTING (see <see cref="OwnedState.Reinstated"/>) that are missing now.</summary>
    public IReadOnlyList<Jump> ReinstateMissing { get; init; } = [];

    /// <summary>For a rollback: a stamp of the inventory it will overwrite, so edits made after the preview refuse the apply.</summary>
    public string? InventoryStamp { get; init; }

    /// <summary>
    /// Nothing to do. An address the plan wants that someone bound by hand counts as there (it is not ours to add or
    /// remove), which is why this is the differ's verdict rather than an equality of owned states.
    /// </summary>
    public bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;

    public bool RulesChange => RestoreScript.Length > 0;

    /// <summary>Lines of the ruleset view that appear (rules, the jump where it moves, addresses).</summary>
    public int RulesAdded => Counts.Added;
    public int RulesRemoved => Counts.Removed;

    public IReadOnlyList<DiffLine> Diff => _diff ??= FirewallDiffer.LineDiff(this);

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

    private (int Added, int Removed) Counts => _counts ??= FirewallDiffer.CountChanges(this);
    private (int Added, int Removed)? _counts;
}
