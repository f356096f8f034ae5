using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RouterAdmin.Inventory;

/// <summary>
/// The whole inventory as plain values: what the planner reads, and what a revision keeps so that rolling back to it
/// puts the inventory back as it was when that revision was applied.
/// </summary>
public sealed record InventorySnapshot(
    InventorySnapshot.SettingsRow Settings,
    IReadOnlyList<InventorySnapshot.ClientRow> Clients,
    IReadOnlyList<InventorySnapshot.ExternalAddressRow> ExternalAddresses,
    IReadOnlyList<InventorySnapshot.EndpointRow> Endpoints,
    IReadOnlyList<InventorySnapshot.AssignmentRow> Assignments,
    IReadOnlyList<string>? RetiredRules = null)
{
    /// <summary>Hand-written rules (iptables-save lines) taken over by an import or an adoption; the next apply deletes them.</summary>
    public IReadOnlyList<string> RetiredRules { get; init; } = RetiredRules ?? [];

    /// <param name="WatchVpnUsers">Absent from snapshots stored before the watch existed: off.</param>
    public sealed record SettingsRow(string WanInterface, IPNetwork LanSubnet, bool ManageMasquerade, bool WatchVpnUsers = false);
    public sealed record ClientRow(int Id, string Name, IPAddress LanAddress, string? MacAddress, string? Notes, bool Enabled);
    public sealed record ExternalAddressRow(int Id, IPAddress Address, string Interface, int PrefixLength, bool BindOnWan, string? Notes);
    public sealed record EndpointRow(int Id, string Name, IPNetwork Destination, string? Notes);
    public sealed record AssignmentRow(int Id, int ClientId, int EndpointId, int ExternalAddressId, DateTimeOffset AssignedAt);

    // Stored, never embedded in a page: names keep their quotes and angle brackets as they are.
    private static readonly JsonSerializerOptions Rows = new()
    {
        Converters = { new Domain.AddressJson.AddressConverter(), new Domain.AddressJson.NetworkConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Json = new(Rows)
    {
        Converters = { new InventoryRowsJson.Clients(Rows), new InventoryRowsJson.Assignments(Rows) },
    };

    // A capture is shared by the preview and the apply after it (InventoryStore), and its JSON is wanted by the
    // revision and by the comparisons of a rollback or a revert: written once per capture, not once per use; a second
    // caller while it is being written waits for it rather than writing it again.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<InventorySnapshot, Lazy<string>> Written = [];

    public string ToJson() => Written.GetValue(this, static s => new Lazy<string>(() => JsonSerializer.Serialize(s, Json))).Value;

    public static InventorySnapshot FromJson(string json) =>
        JsonSerializer.Deserialize<InventorySnapshot>(json, Json) ?? throw new JsonException("Empty inventory snapshot.");
}
