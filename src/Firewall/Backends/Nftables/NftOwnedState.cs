using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// One object of the owned table other than the map's elements: the map's declaration, or a chain's header and rules,
/// each line in the words <see cref="NftSyntax"/> writes and <see cref="NftJsonReader"/> reads back, so two blocks
/// compare line by line. Anything else found in the table (a set, a hand-added rule) is a block or line of its own,
/// which is how drift in the table shows.
/// </summary>
public sealed record NftBlock(string Kind, string Name, IReadOnlyList<string> Lines)
{
    public bool SameAs(NftBlock other) => Kind == other.Kind && Name == other.Name && Lines.SequenceEqual(other.Lines, StringComparer.Ordinal);
}

/// <summary>
/// What RouterAdmin owns in nftables: its table (when it exists), the table's objects, the map's elements (one per
/// mapping) and the addresses it bound. Wanted (a rendered plan), read from the kernel, or stored with a revision.
/// </summary>
public sealed record NftOwnedState(bool Exists, IReadOnlyList<NftBlock> Blocks, IReadOnlyList<SnatMapping> Elements, IReadOnlyList<BoundAddress> Addresses)
    : IOwnedFirewall
{
    public static NftOwnedState Nothing { get; } = new(false, [], [], []);

    public FirewallPlan ToPlan() => NftRules.ToPlan(this);

    /// <summary>The table's structure (everything but the elements) is the same, so a change can touch elements only.</summary>
    public bool SameStructureAs(NftOwnedState other) =>
        Exists == other.Exists && Blocks.Count == other.Blocks.Count && Blocks.Zip(other.Blocks).All(p => p.First.SameAs(p.Second));

    public IEnumerable<FoundMapping> Mappings =>
        Elements.Select(e => new FoundMapping(new IPNetwork(e.Client, 32), e.Endpoint, e.External));

    private sealed record StoredElement(string Client, string Endpoint, string External, string Label);

    private sealed record Stored(bool Exists, NftBlock[] Blocks, StoredElement[] Elements, string[] Addresses);

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string ToJson() => JsonSerializer.Serialize(new Stored(
        Exists,
        Blocks.ToArray(),
        Elements.Select(e => new StoredElement(e.Client.ToString(), e.Endpoint.ToString(), e.External.ToString(), e.Label)).ToArray(),
        Addresses.Select(a => $"{a.Address}/{a.PrefixLength}@{a.Interface}").ToArray()), Json);

    public static NftOwnedState FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json, Json) ?? throw new JsonException("Empty owned state.");
        return new NftOwnedState(
            stored.Exists,
            stored.Blocks,
            stored.Elements.Select(e => new SnatMapping(IPAddress.Parse(e.Client), IPNetwork.Parse(e.Endpoint), IPAddress.Parse(e.External), e.Label)).ToArray(),
            stored.Addresses.Select(ParseAddress).ToArray());
    }

    private static BoundAddress ParseAddress(string text)
    {
        // Not IPNetwork.Parse: it refuses host bits, and the address is the whole point.
        var at = text.LastIndexOf('@');
        var slash = text.IndexOf('/');
        return new BoundAddress(IPAddress.Parse(text[..slash]), int.Parse(text[(slash + 1)..at], System.Globalization.CultureInfo.InvariantCulture), text[(at + 1)..]);
    }
}
