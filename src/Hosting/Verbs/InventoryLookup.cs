using System.Globalization;
using RouterAdmin.Domain;
using RouterAdmin.Refusals;

namespace RouterAdmin.Hosting.Verbs;

/// <summary>
/// What a person types on the command line to name a thing, found in the inventory: a client by its id, LAN address or
/// name; an endpoint by its name or destination; an external address by itself.
/// </summary>
internal sealed class InventoryLookup(Inventory.InventorySnapshot inventory)
{
    public Inventory.InventorySnapshot.ClientRow Client(string text) =>
        One(inventory.Clients.Where(c => IsId(text, c.Id) || c.LanAddress.ToString() == text || string.Equals(c.Name, text, StringComparison.OrdinalIgnoreCase)),
            $"client {text}", c => $"{c.Name} ({c.LanAddress}, id {c.Id})");

    public Inventory.InventorySnapshot.EndpointRow Endpoint(string text) =>
        One(inventory.Endpoints.Where(e => IsId(text, e.Id) || Ipv4.Format(e.Destination) == text || string.Equals(e.Name, text, StringComparison.OrdinalIgnoreCase)),
            $"VPN endpoint {text}", e => $"{e.Name} ({Ipv4.Format(e.Destination)})");

    public Inventory.InventorySnapshot.ExternalAddressRow Address(string text) =>
        One(inventory.ExternalAddresses.Where(a => IsId(text, a.Id) || a.Address.ToString() == text), $"external address {text}", a => a.Address.ToString());

    public Inventory.InventorySnapshot.AssignmentRow Assignment(string client, string endpoint)
    {
        var (c, e) = (Client(client), Endpoint(endpoint));
        return inventory.Assignments.FirstOrDefault(a => a.ClientId == c.Id && a.EndpointId == e.Id)
            ?? throw new Conflict($"{c.Name} has no address towards {e.Name}.");
    }

    private static bool IsId(string text, int id) =>
        text.StartsWith('#') && int.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == id;

    private static T One<T>(IEnumerable<T> matches, string what, Func<T, string> describe)
    {
        var found = matches.Take(3).ToArray();
        return found.Length switch
        {
            1 => found[0],
            0 => throw new Conflict($"There is no {what}."),
            _ => throw new Conflict($"More than one {what}: {string.Join(", ", found.Select(describe))}; name it by its address or #id."),
        };
    }
}
