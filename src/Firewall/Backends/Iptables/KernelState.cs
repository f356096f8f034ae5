using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>What the router holds right now: the whole nat table (ours and everyone else's) and the IPv4 addresses on it.</summary>
public sealed record KernelState(NatTable Table, IReadOnlyList<LiveAddress> Addresses, OwnedState Owned, string NatTableText) : ILiveFirewall
{
    /// <summary>POSTROUTING rules that are not jumps to the owned chain: the MASQUERADE and anything else someone else wrote.</summary>
    public IEnumerable<NatRule> ForeignPostrouting =>
        Table.RulesOf(OwnedChains.Postrouting).Where(rule => rule.Target != OwnedChains.Snat);

    /// <summary>Each rule's packet and byte counters, when the table was read with them (zero otherwise).</summary>
    public IReadOnlyList<IptablesSaveParser.Counted> RuleCounters { get; init; } = [];

    public IReadOnlyList<MappingCounters> Counters =>
        RuleCounters.Where(c => c.Rule.Chain == OwnedChains.Snat)
            .Select(c => SnatRuleMeaning.TryParse(c.Rule, out var mapping) ? new MappingCounters(mapping, c.Packets, c.Bytes) : null)
            .OfType<MappingCounters>()
            .ToArray();

    IOwnedFirewall ILiveFirewall.Owned => Owned;
    string ILiveFirewall.Text => NatTableText;

    public IReadOnlyList<ForeignSnatRule> ForeignSnat
    {
        get
        {
            var jumpAt = Owned.Jumps.Count > 0 ? Owned.Jumps.Min(j => j.Position) : int.MaxValue;
            return Table.RulesOf(OwnedChains.Postrouting)
                .Select((rule, index) => (Rule: rule, Position: index + 1))
                .Where(r => r.Rule.Target == "SNAT")
                .Select(r => new ForeignSnatRule(r.Rule.SaveLine, SnatRuleMeaning.TryParse(r.Rule, out var m) ? m : null, r.Position < jumpAt))
                .ToArray();
        }
    }

    public ForeignMasquerade? ForeignMasquerade =>
        // "! -o br-lan" is not a WAN interface: a negated rule suggests nothing.
        ForeignPostrouting.FirstOrDefault(r => r.Target == "MASQUERADE" && r.ValueOf("-s") is not null && !r.Arguments.Contains("!"))
            is { } rule ? new ForeignMasquerade(rule.SaveLine, rule.ValueOf("-s")!, rule.ValueOf("-o")) : null;
}
