using System.Net;
using System.Text.RegularExpressions;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The plan in nftables' words and back: one map from (client, endpoint) to the external address, one rule that
/// looks it up, the managed masquerade as a second rule after it. The only place that knows what RouterAdmin's table holds.
/// </summary>
public static partial class NftRules
{
    public const string MapName = "mappings";
    public const string ChainName = "postrouting";
    public const string CommentPrefix = "routeradmin:";
    public const string MasqueradeComment = CommentPrefix + " LAN masquerade";

    // One priority step before srcnat: the map wins over any masquerade at srcnat, in nftables or iptables-nft.
    public const string ChainHeader = "type nat hook postrouting priority srcnat - 10; policy accept;";
    public const string MapRule = "snat ip to ip saddr . ip daddr map @" + MapName + " comment \"" + CommentPrefix + " per-client SNAT\"";
    public const string MapType = "type ipv4_addr . ipv4_addr : ipv4_addr";

    public static NftOwnedState Render(FirewallPlan plan)
    {
        // Interval keys only when an endpoint is a network: a plain hash map is the cheaper lookup and load.
        var interval = plan.Mappings.Any(m => m.Endpoint.PrefixLength < 32);
        string[] map = interval ? [MapType, "flags interval", "counter"] : [MapType, "counter"];
        var rules = new List<string> { ChainHeader, MapRule };
        if (plan.Masquerade is { } masquerade) rules.Add(MasqueradeRule(masquerade));
        var elements = plan.Mappings.Select(m => NftSyntax.CommentSafe(m.Label) is var safe && ReferenceEquals(safe, m.Label) ? m : m with { Label = safe }).ToArray();
        return new NftOwnedState(true, [new NftBlock("map", MapName, map), new NftBlock("chain", ChainName, rules)], elements, plan.Addresses)
        {
            // All of them: those in nft's words this backend deletes; an iptables-save line passes through to the
            // iptables backend, which deletes it when it hands the router over (see Backends/Handover).
            Retired = plan.TakenOver,
        };
    }

    public static string MasqueradeRule(MasqueradePlan masquerade) =>
        $"ip saddr {masquerade.LanSubnet} oifname {NftSyntax.Quote(masquerade.WanInterface)} masquerade comment \"{MasqueradeComment}\"";

    /// <summary>The owned table read back into the plan's shape. Hand-written rules in it are not part of any plan (they are drift).</summary>
    public static FirewallPlan ToPlan(NftOwnedState owned)
    {
        var masquerade = owned.Blocks.Where(b => b.Kind == "chain" && b.Name == ChainName)
            .SelectMany(b => b.Lines)
            .Select(line => MasqueradePattern().Match(line))
            .Where(m => m.Success && IPNetwork.TryParse(m.Groups[1].Value, out _))
            .Select(m => new MasqueradePlan(IPNetwork.Parse(m.Groups[1].Value), m.Groups[2].Value))
            .FirstOrDefault();
        return new FirewallPlan(owned.Elements, owned.Addresses, masquerade) { TakenOver = owned.Retired };
    }

    [GeneratedRegex("""^ip saddr (\S+) oifname "([^"]+)" masquerade comment "routeradmin: LAN masquerade"$""")]
    private static partial Regex MasqueradePattern();
}
