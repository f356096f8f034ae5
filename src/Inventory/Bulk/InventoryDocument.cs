namespace RouterAdmin.Inventory.Bulk;

// The inventory as a file holds it: what the export writes and the import reads, in both formats. Plain text as
// typed (the import validates it with the pages' validator); no ids, so a file moves between consoles.

/// <summary>A client towards an endpoint: from the address named, or from the lowest free one when none is.</summary>
public sealed record AssignmentLine(string Endpoint, string? ExternalAddress = null);

public sealed record ClientLine(string Name, string LanAddress, string? MacAddress = null, string? Notes = null, bool Enabled = true,
    IReadOnlyList<AssignmentLine>? Assignments = null);

public sealed record EndpointLine(string Name, string Destination, string? Notes = null);

public sealed record ExternalAddressLine(string Address, string Interface, int PrefixLength = 24, bool BindOnWan = false, string? Notes = null);

public sealed record InventoryDocument(
    IReadOnlyList<EndpointLine> Endpoints,
    IReadOnlyList<ExternalAddressLine> ExternalAddresses,
    IReadOnlyList<ClientLine> Clients);

/// <summary>One item of a file with where it was: "line 4" in a CSV file, "clients[2]" in a JSON one.</summary>
public sealed record Located<T>(string Where, T Item);

/// <summary>A file as the import reads it: each item with its place, so a refusal can say which line.</summary>
public sealed record ParsedDocument(
    IReadOnlyList<Located<EndpointLine>> Endpoints,
    IReadOnlyList<Located<ExternalAddressLine>> ExternalAddresses,
    IReadOnlyList<Located<ClientLine>> Clients);

public enum BulkFormat
{
    Json,
    Csv,
}
