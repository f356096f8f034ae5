using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// A rule someone else wrote in a nat postrouting chain of another <c>ip</c> or <c>inet</c> table, with what nft needs
/// to delete it (its handle) or to put it back where it was (its place in the chain and its body in nft's words).
/// </summary>
/// <param name="Index">Its place in the chain, 0 = first.</param>
/// <param name="Body">The rule in nft's input language, without counter values; only plain mappings are ever written back.</param>
/// <param name="AheadOfOwned">Its chain runs before RouterAdmin's (priority below <c>srcnat - 10</c>), so for the same flow it wins.</param>
public sealed record NftForeignRule(string Family, string Table, string Chain, long Handle, int Index, string Body, FoundMapping? Mapping, bool AheadOfOwned)
{
    private const string Prefix = "table ";

    /// <summary>What identifies the rule for people and for the inventory: where it is and what it says, not its handle (a rule put back gets a new one).</summary>
    public string Text => $"{Prefix}{Family} {Table} chain {Chain}: {Body}";

    /// <summary>Whether a taken-over rule's text is one of these (the iptables backend's are <c>-A …</c> lines).</summary>
    public static bool IsText(string text) => text.StartsWith(Prefix, StringComparison.Ordinal);

    public string ChainAddress => $"{Family} {Table} {Chain}";
}

/// <summary>What nft shows of other tables that matters to RouterAdmin: hand-written SNAT rules, the masquerade, and how many rules each such chain has.</summary>
public sealed record NftForeign(IReadOnlyList<NftForeignRule> Snat, ForeignMasquerade? Masquerade, IReadOnlyDictionary<string, int> RuleCounts)
{
    public static NftForeign None { get; } = new([], null, new Dictionary<string, int>());

    public int RulesIn(string chainAddress) => RuleCounts.GetValueOrDefault(chainAddress);
}

/// <summary>Table and chain names that may be written into an nft file as they are.</summary>
public static class NftNames
{
    public static bool IsPlain(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
