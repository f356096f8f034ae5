using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>
/// The inventory and the nftables state are written for every revision by hand-rolled loops (the serializer's own
/// machinery took most of a small change's time at 10,000 clients). What they write must be byte for byte what the
/// serializer writes, so revisions stored before share their chunks and every reader reads them as before.
/// </summary>
public sealed class RevisionTextFormatSpecs
{
    private static readonly JsonSerializerOptions Plain = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new TextOf<IPAddress>(IPAddress.Parse), new TextOf<IPNetwork>(IPNetwork.Parse) },
    };

    private sealed class TextOf<T>(Func<string, T> parse) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => parse(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value!.ToString());
    }

    private const string Hostile = "Zoë \"the boss\" O'Neil <script>\n\t\\ 雪 😀";

    private static InventorySnapshot Inventory() => new(
        new InventorySnapshot.SettingsRow("wan", IPNetwork.Parse("192.168.1.0/24"), true, WatchVpnUsers: true),
        [
            new(1, "Alice", IPAddress.Parse("192.168.1.2"), "aa:bb:cc:dd:ee:ff", null, true),
            new(2, Hostile, IPAddress.Parse("192.168.1.3"), null, Hostile, false),
            new(3, "", IPAddress.Parse("192.168.1.250"), null, "", true),
        ],
        [new(1, IPAddress.Parse("203.0.113.2"), "wan", 24, true, null), new(2, IPAddress.Parse("203.0.113.3"), "wan", 24, false, Hostile)],
        [new(1, "Customer VPN", IPNetwork.Parse("198.51.100.10/32"), null), new(2, Hostile, IPNetwork.Parse("198.51.100.0/24"), "net")],
        [
            new(1, 1, 1, 1, new DateTimeOffset(2026, 12, 7, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567)),
            new(2, 2, 2, 2, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))),
        ],
        ["-A POSTROUTING -s 192.168.1.9/32 -d 198.51.100.10/32 -j SNAT --to-source 203.0.113.9"]);

    [Fact]
    public void The_inventory_is_written_as_the_serializer_writes_it_and_reads_back_equal()
    {
        var inventory = Inventory();

        var json = inventory.ToJson();

        Assert.Equal(JsonSerializer.Serialize(inventory, Plain), json);
        var read = InventorySnapshot.FromJson(json);
        Assert.Equal(inventory.Clients, read.Clients);
        Assert.Equal(inventory.Assignments, read.Assignments);
        Assert.Equal(inventory.Endpoints, read.Endpoints);
        Assert.Equal(inventory.RetiredRules, read.RetiredRules);
    }

    // The stored shape as it was written before the elements had a writer of their own: addresses as strings.
    private sealed record OldElement(string Client, string Endpoint, string External, string Label);
    private sealed record OldRule(string Family, string Table, string Chain, int Index, string Body, string? Source, string? Destination, string? ToSource, string? OutInterface, bool AheadOfOwned);
    private sealed record OldStored(bool Exists, NftBlock[] Blocks, OldElement[] Elements, string[] Addresses, string[]? Retired = null, OldRule[]? Reinstated = null);

    [Fact]
    public void The_nftables_state_is_written_as_it_was_before_and_reads_back_equal()
    {
        var state = NftRules.Render(new FirewallPlan(
        [
            new(IPAddress.Parse("192.168.1.2"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.2"), "Alice to Customer_VPN"),
            new(IPAddress.Parse("192.168.1.3"), IPNetwork.Parse("198.51.100.0/24"), IPAddress.Parse("203.0.113.3"), Hostile),
        ], [new BoundAddress(IPAddress.Parse("203.0.113.2"), 24, "wan")], new MasqueradePlan(IPNetwork.Parse("192.168.1.0/24"), "wan"))
        {
            TakenOver = ["ip saddr 192.168.1.9 ip daddr 198.51.100.10 snat to 203.0.113.9"],
        });

        var json = state.ToJson();

        var old = JsonSerializer.Serialize(new OldStored(state.Exists, [.. state.Blocks],
            state.Elements.Select(e => new OldElement(e.Client.ToString(), e.Endpoint.ToString(), e.External.ToString(), e.Label)).ToArray(),
            ["203.0.113.2/24@wan"], [.. state.Retired], []), Plain);
        Assert.Equal(old, json);
        var read = NftOwnedState.FromJson(json);
        Assert.Equal(state.Elements, read.Elements);
        Assert.True(read.SameStructureAs(state));
        Assert.Equal(state.Addresses, read.Addresses);
    }
}
