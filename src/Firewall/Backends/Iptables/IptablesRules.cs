using System.Net;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// The plan in iptables' words and back: one SNAT rule per mapping in the owned chain, the managed masquerade in its
/// own chain, the jump at position 1 of POSTROUTING. The only place that knows what RouterAdmin's iptables rules look like.
/// </summary>
public static class IptablesRules
{
    public static OwnedState Render(FirewallPlan plan)
    {
        // All protocols: IKE on UDP 500 and ESP must leave from the same address or the VPN server rejects the tunnel.
        var snatRules = plan.Mappings.Select(SnatRule).ToList();
        var masqueradeRules = new List<NatRule>();
        if (plan.Masquerade is { } masquerade)
        {
            snatRules.Add(new NatRule(OwnedChains.Snat,
                ["-m", "comment", "--comment", OwnedChains.CommentPrefix + " then LAN masquerade", "-j", OwnedChains.Masquerade]));
            masqueradeRules.Add(new NatRule(OwnedChains.Masquerade,
                ["-s", masquerade.LanSubnet.ToString(), "-o", masquerade.WanInterface,
                 "-m", "comment", "--comment", OwnedChains.CommentPrefix + " LAN masquerade", "-j", "MASQUERADE"]));
        }
        return new OwnedState(true, [new Jump(1, OwnedChains.JumpRule)], snatRules, masqueradeRules, plan.Addresses)
        {
            // Only rules in iptables' words: one the nftables backend took over is its to delete.
            Retired = plan.TakenOver.Where(IsRuleText).Select(NatRule.FromSaveLine).ToArray(),
        };
    }

    /// <summary>No chains and no jump (another backend owns the router): the plan's addresses, and its taken-over iptables rules deleted.</summary>
    public static OwnedState RenderAbsent(FirewallPlan plan) =>
        OwnedState.Nothing with { Addresses = plan.Addresses, Retired = plan.TakenOver.Where(IsRuleText).Select(NatRule.FromSaveLine).ToArray() };

    /// <summary>Whether a taken-over rule's text is an iptables-save line (the nftables backend's start with "table ").</summary>
    public static bool IsRuleText(string text) => text.StartsWith("-A ", StringComparison.Ordinal);

    /// <summary>The owned state read back into the plan's shape: what the kernel does, in the domain's words.</summary>
    public static FirewallPlan ToPlan(OwnedState owned)
    {
        var mappings = owned.SnatRules
            .Select(rule => SnatRuleMeaning.TryParse(rule, out var meaning) && meaning.Source.PrefixLength == 32
                ? new SnatMapping(meaning.Source.BaseAddress, meaning.Destination, meaning.ToSource, LabelOf(rule))
                : null)
            .OfType<SnatMapping>()
            .ToArray();
        var masquerade = owned.MasqueradeRules
            .Select(rule => rule.Target == "MASQUERADE" && rule.ValueOf("-s") is { } lan && IPNetwork.TryParse(lan, out var subnet) && rule.ValueOf("-o") is { } wan
                ? new MasqueradePlan(subnet, wan) : null)
            .FirstOrDefault(m => m is not null);
        return new FirewallPlan(mappings, owned.Addresses, masquerade) { TakenOver = owned.Retired.Select(r => r.SaveLine).ToArray() };
    }

    // The order of the words is the order iptables-save prints them in, so a rule read back compares equal.
    private static NatRule SnatRule(SnatMapping mapping) =>
        new(OwnedChains.Snat,
        [
            "-s", $"{mapping.Client}/32",
            "-d", mapping.Endpoint.ToString(),
            "-m", "comment", "--comment", $"{OwnedChains.CommentPrefix} {mapping.Label}",
            "-j", "SNAT", "--to-source", mapping.External.ToString(),
        ]);

    private static string LabelOf(NatRule rule) =>
        rule.Comment is { } comment && comment.StartsWith(OwnedChains.CommentPrefix, StringComparison.Ordinal)
            ? comment[OwnedChains.CommentPrefix.Length..].Trim()
            : rule.Comment ?? "";
}
