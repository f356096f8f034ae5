using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>A rule in POSTROUTING that jumps to the owned chain, and where it sits (1 = first).</summary>
public sealed record Jump(int Position, NatRule Rule);

/// <summary>
/// The part of the kernel RouterAdmin owns: its two chains in the nat table, the jump(s) to them from POSTROUTING,
/// and the addresses it bound. The planner produces the wanted one; the live-state reader extracts the actual one;
/// the differ compares the two. Everything else in the kernel is never part of this and never changed.
/// </summary>
public sealed record OwnedState(
    bool ChainsExist,
    IReadOnlyList<Jump> Jumps,
    IReadOnlyList<NatRule> SnatRules,
    IReadOnlyList<NatRule> MasqueradeRules,
    IReadOnlyList<BoundAddress> Addresses) : IOwnedFirewall
{
    public static OwnedState Nothing { get; } = new(false, [], [], [], []);

    /// <summary>
    /// Rules in chains RouterAdmin does not own that it has taken over (imported or adopted hand-written SNAT rules):
    /// the next apply deletes them by their exact text. Only ever set on a wanted state, never read from the kernel.
    /// </summary>
    public IReadOnlyList<NatRule> Retired { get; init; } = [];

    /// <summary>
    /// The other way round, for a snapshot: hand-written rules the apply that took this snapshot deleted (they were
    /// retired), with their places in POSTROUTING. Putting the snapshot back, after a failure, a crash or an unconfirmed
    /// change, inserts them there again, so undoing an apply also undoes its deletions.
    /// </summary>
    public IReadOnlyList<Jump> Reinstated { get; init; } = [];

    public IEnumerable<NatRule> AllRules => SnatRules.Concat(MasqueradeRules);

    public Planning.FirewallPlan ToPlan() => IptablesRules.ToPlan(this);

    public IEnumerable<FoundMapping> Mappings =>
        SnatRules.Select(rule => SnatRuleMeaning.TryParse(rule, out var mapping) ? mapping : null).OfType<FoundMapping>();

    /// <summary>Same rules in the same order, the same jump at the same place, the same bound addresses.</summary>
    public bool IsEquivalentTo(OwnedState other) =>
        ChainsExist == other.ChainsExist
        && Jumps.SequenceEqual(other.Jumps)
        && SnatRules.SequenceEqual(other.SnatRules)
        && MasqueradeRules.SequenceEqual(other.MasqueradeRules)
        && Addresses.ToHashSet().SetEquals(other.Addresses);

    private sealed record Stored(bool ChainsExist, int[] JumpPositions, string[] JumpRules, string[] SnatRules, string[] MasqueradeRules, string[] Addresses,
        string[]? Retired = null, int[]? ReinstatedPositions = null, string[]? ReinstatedRules = null);

    // Stored, never embedded in a page: no need to escape quotes and angle brackets as \u0022 and friends.
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Megabytes at 10,000 rules, wanted by the revision of each change that keeps or wants this state: written once
    // per state (a second caller waits for it).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<OwnedState, Lazy<string>> Written = [];

    public string ToJson() => Written.GetValue(this, static s => new Lazy<string>(s.Write)).Value;

    private string Write() => JsonSerializer.Serialize(new Stored(
        ChainsExist,
        Jumps.Select(j => j.Position).ToArray(),
        Jumps.Select(j => j.Rule.SaveLine).ToArray(),
        SnatRules.Select(r => r.SaveLine).ToArray(),
        MasqueradeRules.Select(r => r.SaveLine).ToArray(),
        Addresses.Select(a => $"{a.Address}/{a.PrefixLength}@{a.Interface}").ToArray(),
        Retired.Select(r => r.SaveLine).ToArray(),
        Reinstated.Select(r => r.Position).ToArray(),
        Reinstated.Select(r => r.Rule.SaveLine).ToArray()), Json);

    /// <summary>Whether a stored state is one of these (the nftables backend stores another shape).</summary>
    public static bool IsStored(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(nameof(Stored.ChainsExist), out _);
    }

    public static OwnedState FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json, Json) ?? throw new JsonException("Empty owned state.");
        return new OwnedState(
            stored.ChainsExist,
            stored.JumpPositions.Zip(stored.JumpRules, (position, line) => new Jump(position, NatRule.FromSaveLine(line))).ToArray(),
            stored.SnatRules.Select(NatRule.FromSaveLine).ToArray(),
            stored.MasqueradeRules.Select(NatRule.FromSaveLine).ToArray(),
            stored.Addresses.Select(ParseAddress).ToArray())
        {
            Retired = (stored.Retired ?? []).Select(NatRule.FromSaveLine).ToArray(),
            Reinstated = (stored.ReinstatedPositions ?? []).Zip(stored.ReinstatedRules ?? [], (position, line) => new Jump(position, NatRule.FromSaveLine(line))).ToArray(),
        };
    }

    private static BoundAddress ParseAddress(string text)
    {
        var at = text.LastIndexOf('@');
        var network = text[..at];
        var slash = network.IndexOf('/');
        return new BoundAddress(IPAddress.Parse(network[..slash]), int.Parse(network[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture), text[(at + 1)..]);
    }
}
