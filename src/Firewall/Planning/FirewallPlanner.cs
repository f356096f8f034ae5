using System.Text;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Inventory;

namespace RouterAdmin.Firewall.Planning;

/// <summary>
/// Inventory in, the plan out: which client leaves from which address towards which endpoint, which addresses are
/// bound, whether the masquerade is managed. Pure and deterministic, and it knows no rule syntax: the backends do.
/// </summary>
public static class FirewallPlanner
{
    private const int MaxCommentNameLength = 48;

    public static FirewallPlan Plan(InventorySnapshot inventory)
    {
        var clients = inventory.Clients.ToDictionary(c => c.Id);
        var endpoints = inventory.Endpoints.ToDictionary(e => e.Id);
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Id);

        var mappings = inventory.Assignments
            .Select(a => (Client: clients[a.ClientId], Endpoint: endpoints[a.EndpointId], External: addresses[a.ExternalAddressId]))
            .Where(x => x.Client.Enabled)
            .OrderBy(x => Ipv4.ToUInt32(x.Client.LanAddress))
            .ThenBy(x => Ipv4.ToUInt32(x.Endpoint.Destination.BaseAddress))
            .ThenBy(x => x.Endpoint.Destination.PrefixLength)
            .Select(x => new SnatMapping(x.Client.LanAddress, x.Endpoint.Destination, x.External.Address, $"{CommentSafe(x.Client.Name)} to {CommentSafe(x.Endpoint.Name)}")
            {
                Names = new MappingNames(x.Client.Name, x.Endpoint.Name),
            })
            .ToArray();

        var bound = inventory.ExternalAddresses
            .Where(a => a.BindOnWan)
            .OrderBy(a => a.Interface, StringComparer.Ordinal)
            .ThenBy(a => Ipv4.ToUInt32(a.Address))
            .Select(a => new BoundAddress(a.Address, a.PrefixLength, a.Interface))
            .ToArray();

        var settings = inventory.Settings;
        var masquerade = settings.ManageMasquerade ? new MasqueradePlan(settings.LanSubnet, settings.WanInterface) : null;
        return new FirewallPlan(mappings, bound, masquerade)
        {
            TakenOver = inventory.RetiredRules.ToArray(),
            WatchedLan = settings.WatchVpnUsers ? settings.LanSubnet : null,
        };
    }

    /// <summary>
    /// Names help whoever reads the router's ruleset, but they are user text: only letters, digits and a few harmless
    /// marks reach the kernel, everything else becomes '_', so no quote, newline or option can, in any backend's syntax.
    /// </summary>
    public static string CommentSafe(string name)
    {
        var safe = new StringBuilder(Math.Min(name.Length, MaxCommentNameLength));
        foreach (var c in name)
        {
            if (safe.Length == MaxCommentNameLength) break;
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '+' or '-' ? c : '_');
        }
        return safe.Length == 0 ? "_" : safe.ToString();
    }
}
