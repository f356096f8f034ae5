using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    /// <summary>
    /// Hand-written rules in other tables that the inventory has taken over (their <see cref="NftForeignRule.Text"/>):
    /// the next apply deletes them by handle in its one transaction. Only ever set on a wanted state. Texts in another
    /// backend's words (iptables-save lines) are carried for that backend and never match a rule here.
    /// </summary>
    public IReadOnlyList<string> Retired { get; init; } = [];

    /// <summary>
    /// For a snapshot: the hand-written rules the apply that took it deleted, at their old places. Putting the snapshot
    /// back adds them again in the same transaction that removes what replaced them.
    /// </summary>
    public IReadOnlyList<NftForeignRule> Reinstated { get; init; } = [];

    public FirewallPlan ToPlan() => NftRules.ToPlan(this);

    /// <summary>Whether a revision's stored state is this backend's (one stored before a switch of backend is the other's).</summary>
    public static bool IsStored(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(nameof(Stored.Exists), out _) && document.RootElement.TryGetProperty(nameof(Stored.Blocks), out _);
    }

    /// <summary>The table's structure (everything but the elements) is the same, so a change can touch elements only.</summary>
    public bool SameStructureAs(NftOwnedState other) =>
        Exists == other.Exists && Blocks.Count == other.Blocks.Count && Blocks.Zip(other.Blocks).All(p => p.First.SameAs(p.Second));

    public IEnumerable<FoundMapping> Mappings =>
        Elements.Select(e => new FoundMapping(new IPNetwork(e.Client, 32), e.Endpoint, e.External));

    private sealed record StoredElement(IPAddress Client, IPNetwork Endpoint, IPAddress External, string Label);

    private sealed record StoredRule(string Family, string Table, string Chain, int Index, string Body, string? Source, string? Destination, string? ToSource, string? OutInterface, bool AheadOfOwned);

    private sealed record Stored(bool Exists, NftBlock[] Blocks, StoredElement[] Elements, string[] Addresses, string[]? Retired = null, StoredRule[]? Reinstated = null);

    private static readonly JsonSerializerOptions Parts = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new Domain.AddressJson.AddressConverter(), new Domain.AddressJson.NetworkConverter() },
    };

    private static readonly JsonSerializerOptions Json = new(Parts) { Converters = { new ElementsJson(Parts) } };

    /// <summary>
    /// The elements written exactly as the serializer writes them, without its per-object machinery: 10,000 of them go
    /// into every revision, in a loop compiled optimised from its first call (a change is too rare for tiered
    /// compilation to get to it). Read back by the serializer itself.
    /// </summary>
    private sealed class ElementsJson(JsonSerializerOptions readOptions) : JsonConverter<StoredElement[]>
    {
        public override StoredElement[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<StoredElement[]>(ref reader, readOptions);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Write(Utf8JsonWriter writer, StoredElement[] elements, JsonSerializerOptions options)
        {
            Span<byte> network = stackalloc byte[64];
            writer.WriteStartArray();
            foreach (var element in elements)
            {
                writer.WriteStartObject();
                writer.WriteString("Client"u8, element.Client.ToString());
                // An address caches its text, a network does not: formatted in place.
                ((IUtf8SpanFormattable)element.Endpoint).TryFormat(network, out var written, default, null);
                writer.WriteString("Endpoint"u8, network[..written]);
                writer.WriteString("External"u8, element.External.ToString());
                writer.WriteString("Label"u8, element.Label);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }

    // A table's JSON is megabytes at 10,000 elements; the state one apply wanted is the state the next one undoes to
    // (the same object, see NftKnownState), so each state is written once (and a second caller waits for it).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NftOwnedState, Lazy<string>> Written = [];

    public string ToJson() => Written.GetValue(this, static s => new Lazy<string>(s.Write)).Value;

    private string Write() => JsonSerializer.Serialize(new Stored(
        Exists,
        Blocks.ToArray(),
        Elements.Select(e => new StoredElement(e.Client, e.Endpoint, e.External, e.Label)).ToArray(),
        Addresses.Select(a => $"{a.Address}/{a.PrefixLength}@{a.Interface}").ToArray(),
        Retired.ToArray(),
        Reinstated.Select(r => new StoredRule(r.Family, r.Table, r.Chain, r.Index, r.Body, r.Mapping?.Source.ToString(), r.Mapping?.Destination.ToString(),
            r.Mapping?.ToSource.ToString(), r.Mapping?.OutInterface, r.AheadOfOwned)).ToArray()), Json);

    public static NftOwnedState FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json, Json) ?? throw new JsonException("Empty owned state.");
        return new NftOwnedState(
            stored.Exists,
            stored.Blocks,
            stored.Elements.Select(e => new SnatMapping(e.Client, e.Endpoint, e.External, e.Label)).ToArray(),
            stored.Addresses.Select(ParseAddress).ToArray())
        {
            Retired = stored.Retired ?? [],
            Reinstated = (stored.Reinstated ?? []).Select(r => new NftForeignRule(r.Family, r.Table, r.Chain, 0, r.Index, r.Body,
                r is { Source: { } s, Destination: { } d, ToSource: { } to } ? new FoundMapping(IPNetwork.Parse(s), IPNetwork.Parse(d), IPAddress.Parse(to), r.OutInterface) : null,
                r.AheadOfOwned)).ToArray(),
        };
    }

    private static BoundAddress ParseAddress(string text)
    {
        // Not IPNetwork.Parse: it refuses host bits, and the address is the whole point.
        var at = text.LastIndexOf('@');
        var slash = text.IndexOf('/');
        return new BoundAddress(IPAddress.Parse(text[..slash]), int.Parse(text[(slash + 1)..at], System.Globalization.CultureInfo.InvariantCulture), text[(at + 1)..]);
    }
}
