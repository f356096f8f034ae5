namespace RouterAdmin.Firewall.Model;

/// <summary>What the router holds right now: the whole nat table (ours and everyone else's) and the IPv4 addresses on it.</summary>
public sealed record KernelState(NatTable Table, IReadOnlyList<LiveAddress> Addresses, OwnedState Owned, string NatTableText)
{
    /// <summary>POSTROUTING rules that are not jumps to the owned chain: the MASQUERADE and anything else someone else wrote.</summary>
    public IEnumerable<NatRule> ForeignPostrouting =>
        Table.RulesOf(OwnedChains.Postrouting).Where(rule => rule.Target != OwnedChains.Snat);
}
