using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// One read of the router for the nftables backend: the owned table, the addresses, the elements' counters, and the
/// source-NAT rules others wrote in nftables (see <see cref="NftForeignReader"/>).
/// </summary>
public sealed record NftLiveState(NftOwnedState Owned, IReadOnlyList<LiveAddress> Addresses, string Text, IReadOnlyList<MappingCounters> Counters)
    : ILiveFirewall
{
    IOwnedFirewall ILiveFirewall.Owned => Owned;

    public NftForeign Foreign { get; init; } = NftForeign.None;

    public IReadOnlyList<ForeignSnatRule> ForeignSnat =>
        Foreign.Snat.Select(r => new ForeignSnatRule(r.Text, r.Mapping, r.AheadOfOwned)).ToArray();

    public ForeignMasquerade? ForeignMasquerade => Foreign.Masquerade;
}
