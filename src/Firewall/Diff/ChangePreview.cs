using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Diff;

/// <summary>
/// Everything an administrator sees before anything runs: the change in the domain's words, the backend's exact text
/// diff and the commands in the order they will run. The fingerprint lets the apply refuse to run anything other than
/// what was previewed.
/// </summary>
public sealed record ChangePreview(IBackendChange Change, IReadOnlyList<string> Commands)
{
    private PlanChanges? _words;

    /// <summary>Which mapping appears, moves or goes: the backend's desired and live states read back as plans.</summary>
    public PlanChanges Words => _words ??= PlanChanges.Between(Change.Live.Owned.ToPlan(), WantedPlan ?? Change.Desired.ToPlan());

    /// <summary>The plan the wanted state was rendered from, when there is one: it has the names as typed.</summary>
    public Planning.FirewallPlan? WantedPlan { get; init; }

    /// <summary>The tool whose input <see cref="Transaction"/> is, as the preview names it ("iptables-restore").</summary>
    public string TransactionTool { get; init; } = "";

    /// <summary>For a rollback: a stamp of the inventory it will overwrite, so edits made after the preview refuse the apply.</summary>
    public string? InventoryStamp { get; init; }

    public bool InSync => Change.InSync;
    public bool RulesChange => Change.RulesChange;
    public string Transaction => Change.Transaction;
    public IReadOnlyList<BoundAddress> AddressesToAdd => Change.AddressesToAdd;
    public IReadOnlyList<BoundAddress> AddressesToRemove => Change.AddressesToRemove;
    public IReadOnlyList<FlowKey> FlowsToReset => Change.FlowsToReset;
    public IReadOnlyList<DiffLine> Diff => Change.Diff;
    public string UnifiedDiff => string.Join('\n', Diff.Select(l => l.Unified));
    public int RulesAdded => Change.LinesAdded;
    public int RulesRemoved => Change.LinesRemoved;

    public string Fingerprint =>
        InventoryStamp is null ? ChangeDigest(Change) : Digest(ChangeDigest(Change) + "\ninventory " + InventoryStamp);

    // The change's part of the fingerprint hashes its whole transaction (768 KiB for 10,000 new mappings): worked out
    // once per change, which the apply after a preview shares with it.
    private static readonly ConditionalWeakTable<IBackendChange, string> ChangeDigests = [];

    private static string ChangeDigest(IBackendChange change) => ChangeDigests.GetValue(change, static c =>
    {
        var text = new StringBuilder(c.Transaction);
        foreach (var a in c.AddressesToAdd) text.Append("\n+addr ").Append(a);
        foreach (var a in c.AddressesToRemove) text.Append("\n-addr ").Append(a);
        foreach (var f in c.FlowsToReset) text.Append("\nflow ").Append(f);
        return Digest(text.ToString());
    });

    private static string Digest(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
