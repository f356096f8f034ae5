using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// One read of the router for the nftables backend: the owned table, the addresses, and the elements' counters.
/// Hand-written nftables SNAT rules in other tables are not read yet, so nothing is offered for import from them.
/// </summary>
public sealed record NftLiveState(NftOwnedState Owned, IReadOnlyList<LiveAddress> Addresses, string Text, IReadOnlyList<MappingCounters> Counters)
    : ILiveFirewall
{
    IOwnedFirewall ILiveFirewall.Owned => Owned;
    public IReadOnlyList<ForeignSnatRule> ForeignSnat => [];
    public ForeignMasquerade? ForeignMasquerade => null;
}
