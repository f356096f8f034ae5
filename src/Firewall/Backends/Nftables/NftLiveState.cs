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

    /// <summary>The ruleset's generation this read holds for; null when it moved while nft listed it, or cannot be read.</summary>
    public NftGeneration.Reading? Generation { get; init; }

    public IReadOnlyList<ForeignSnatRule> ForeignSnat =>
        Foreign.Snat.Select(r => new ForeignSnatRule(r.Text, r.Mapping, r.AheadOfOwned)).ToArray();

    public ForeignMasquerade? ForeignMasquerade => Foreign.Masquerade;
}
