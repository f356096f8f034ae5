using RouterAdmin.Domain;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// The inventory as a file the import takes back unchanged: endpoints, external addresses, and clients with the address
/// each leaves from towards each endpoint. Always in the same order (names, then addresses in numeric order), so two
/// exports of the same inventory are the same bytes.
/// </summary>
public sealed class InventoryExport(InventoryStore store)
{
    public async Task<InventoryDocument> ReadAsync(CancellationToken ct = default) => ToDocument(await store.CaptureAsync(ct));

    public async Task<string> WriteAsync(BulkFormat format, CancellationToken ct = default)
    {
        var document = await ReadAsync(ct);
        return format == BulkFormat.Csv ? CsvInventoryFormat.Write(document) : JsonInventoryFormat.Write(document);
    }

    public static InventoryDocument ToDocument(InventorySnapshot inventory)
    {
        var endpoints = inventory.Endpoints.ToDictionary(e => e.Id);
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Id);
        var byClient = inventory.Assignments.ToLookup(a => a.ClientId);
        return new InventoryDocument(
            inventory.Endpoints.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => Ipv4.ToUInt32(e.Destination.BaseAddress))
                .Select(e => new EndpointLine(e.Name, Ipv4.Format(e.Destination), e.Notes)).ToArray(),
            inventory.ExternalAddresses.OrderBy(a => Ipv4.ToUInt32(a.Address))
                .Select(a => new ExternalAddressLine(a.Address.ToString(), a.Interface, a.PrefixLength, a.BindOnWan, a.Notes)).ToArray(),
            inventory.Clients.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => Ipv4.ToUInt32(c.LanAddress))
                .Select(c => new ClientLine(c.Name, c.LanAddress.ToString(), c.MacAddress, c.Notes, c.Enabled,
                    byClient[c.Id].Select(a => (Endpoint: endpoints[a.EndpointId], Address: addresses[a.ExternalAddressId]))
                        .OrderBy(a => a.Endpoint.Name, StringComparer.OrdinalIgnoreCase)
                        .Select(a => new AssignmentLine(a.Endpoint.Name, a.Address.Address.ToString())).ToArray()))
                .ToArray());
    }
}
