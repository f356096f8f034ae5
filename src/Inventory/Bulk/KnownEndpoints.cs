using System.Net;
using RouterAdmin.Domain;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>The endpoints a file's clients may name: the inventory's and the file's own, by name or by destination.</summary>
internal sealed class KnownEndpoints(IEnumerable<(string Name, IPNetwork Destination)> endpoints)
{
    private readonly (string Name, IPNetwork Destination)[] _all = endpoints.ToArray();

    /// <summary>The endpoint, or why it cannot be told: nobody has that name, or two endpoints have it.</summary>
    public ((string Name, IPNetwork Destination)? Found, string? Problem) Find(string nameOrDestination)
    {
        var named = _all.Where(e => string.Equals(e.Name, nameOrDestination, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (named.Length == 1) return (named[0], null);
        if (named.Length > 1)
            return (null, $"Two VPN endpoints are called {nameOrDestination}; name it by its destination instead ({string.Join(" or ", named.Select(n => Ipv4.Format(n.Destination)))}).");
        if (InventoryValidator.TryParseNetwork(nameOrDestination, out var destination, out _) && _all.Any(e => e.Destination == destination))
            return (_all.First(e => e.Destination == destination), null);
        return (null, _all.Length == 0
            ? $"There is no VPN endpoint {nameOrDestination}: the inventory has none yet. Add it first, or put it in the file."
            : $"There is no VPN endpoint {nameOrDestination}; the endpoints are {string.Join(", ", _all.Select(e => e.Name).Order(StringComparer.OrdinalIgnoreCase))}.");
    }
}
