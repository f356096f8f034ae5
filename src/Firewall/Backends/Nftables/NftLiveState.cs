using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// One read of the router for the nftables backend: the owned table, the addresses, the elements' counters, and the
/// source-NAT rules others wrote in nftables (see <see cref="NftForeignReader"/>).
/// </summary>
public sealed record NftLiveState(NftOwnedState Owned, IReadOnlyList<LiveAddress> Addresses, Lazy<string> TableText, IReadOnlyList<MappingCounters> Counters)
    : ILiveFirewall
{
    public NftLiveState(NftOwnedState owned, IReadOnlyList<LiveAddress> addresses, string text, IReadOnlyList<MappingCounters> counters)
        : this(owned, addresses, new Lazy<string>(text), counters)
    {
    }

    IOwnedFirewall ILiveFirewall.Owned => Owned;

    /// <summary>
    /// The table as nft prints it. Written when first asked (the history's copy of the router as a change found it):
    /// at 10,000 elements it is most of a small change's work, and a read that is only compared never needs it.
    /// </summary>
    public string Text => TableText.Value;

    public NftForeign Foreign { get; init; } = NftForeign.None;

    /// <summary>The ruleset's generation this read holds for; null when it moved while nft listed it, or cannot be read.</summary>
    public NftGeneration.Reading? Generation { get; init; }

    public IReadOnlyList<ForeignSnatRule> ForeignSnat =>
        Foreign.Snat.Select(r => new ForeignSnatRule(r.Text, r.Mapping, r.AheadOfOwned)).ToArray();

    public ForeignMasquerade? ForeignMasquerade => Foreign.Masquerade;
}
