using System.Text.Json;
using System.Text.Json.Serialization;
using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// The inventory as JSON: <c>{"endpoints": [...], "externalAddresses": [...], "clients": [...]}</c>, or a bare array of
/// clients. A client names its assignments (<c>"assignments": [{"endpoint": "North", "externalAddress": "203.0.113.4"}]</c>)
/// or just the endpoints to give it free addresses on (<c>"endpoints": ["North"]</c>).
/// </summary>
public static class JsonInventoryFormat
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // Names and notes stay readable in the file ("O'Neil", "→"), as the pages show them.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(InventoryDocument document) => JsonSerializer.Serialize(document, Options) + "\n";

    public static ParsedDocument Read(string text)
    {
        FileShape shape;
        try
        {
            var trimmed = text.AsSpan().TrimStart();
            shape = trimmed.Length > 0 && trimmed[0] == '['
                ? new FileShape(null, null, JsonSerializer.Deserialize<List<ClientShape?>>(text, Options))
                : JsonSerializer.Deserialize<FileShape>(text, Options) ?? new FileShape(null, null, null);
        }
        catch (JsonException e)
        {
            throw InvalidInput.For("File", $"The file is not valid JSON for an inventory: {e.Message}");
        }
        return new ParsedDocument(
            Locate(shape.Endpoints, "endpoints", e => new EndpointLine(e.Name ?? "", e.Destination ?? "", e.Notes)),
            Locate(shape.ExternalAddresses, "externalAddresses", a => new ExternalAddressLine(a.Address ?? "", a.Interface ?? "", a.PrefixLength ?? 24, a.BindOnWan ?? false, a.Notes)),
            Locate(shape.Clients, "clients", c => new ClientLine(c.Name ?? "", c.LanAddress ?? "", c.MacAddress, c.Notes, c.Enabled ?? true,
                [.. (c.Assignments ?? []).OfType<AssignmentShape>().Select(a => new AssignmentLine(a.Endpoint ?? "", a.ExternalAddress)),
                 .. (c.Endpoints ?? []).OfType<string>().Select(e => new AssignmentLine(e))])));
    }

    private static List<Located<TLine>> Locate<TShape, TLine>(List<TShape?>? items, string name, Func<TShape, TLine> line) where TShape : class =>
        (items ?? []).Select((item, i) => (item, i)).Where(x => x.item is not null)
            .Select(x => new Located<TLine>($"{name}[{x.i}]", line(x.item!))).ToList();

    // What a hand-written file may hold: every field optional, so a missing one is refused by the validator with the
    // pages' message instead of by the deserializer.
    private sealed record FileShape(List<EndpointShape?>? Endpoints, List<AddressShape?>? ExternalAddresses, List<ClientShape?>? Clients);
    private sealed record EndpointShape(string? Name, string? Destination, string? Notes);
    private sealed record AddressShape(string? Address, string? Interface, int? PrefixLength, bool? BindOnWan, string? Notes);
    private sealed record AssignmentShape(string? Endpoint, string? ExternalAddress);
    private sealed record ClientShape(string? Name, string? LanAddress, string? MacAddress, string? Notes, bool? Enabled,
        List<AssignmentShape?>? Assignments, List<string?>? Endpoints);
}
