using System.Text;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Inventory;

namespace RouterAdmin.Firewall.Planning;

/// <summary>
/// Inventory in, wanted kernel state out. Pure and deterministic: the same inventory always gives the same rules in
/// the same order. It is the one place that knows what RouterAdmin's rules look like.
/// </summary>
public static class FirewallPlanner
{
    private const int MaxCommentNameLength = 48;

    public static OwnedState Plan(InventorySnapshot inventory)
    {
        var clients = inventory.Clients.ToDictionary(c => c.Id);
        var endpoints = inventory.Endpoints.ToDictionary(e => e.Id);
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Id);

        // All protocols: IKE on UDP 500 and ESP must leave from the same address or the VPN server rejects the tunnel.
        var snatRules = inventory.Assignments
            .Select(a => (Client: clients[a.ClientId], Endpoint: endpoints[a.EndpointId], External: addresses[a.ExternalAddressId]))
            .Where(x => x.Client.Enabled)
            .OrderBy(x => Ipv4.ToUInt32(x.Client.LanAddress))
            .ThenBy(x => Ipv4.ToUInt32(x.Endpoint.Destination.BaseAddress))
            .ThenBy(x => x.Endpoint.Destination.PrefixLength)
            .Select(x => SnatRule(x.Client, x.Endpoint, x.External))
            .ToList();

        var masqueradeRules = new List<NatRule>();
        if (inventory.Settings.ManageMasquerade)
        {
            var settings = inventory.Settings;
            snatRules.Add(new NatRule(OwnedChains.Snat,
                ["-m", "comment", "--comment", OwnedChains.CommentPrefix + " then LAN masquerade", "-j", OwnedChains.Masquerade]));
            masqueradeRules.Add(new NatRule(OwnedChains.Masquerade,
                ["-s", settings.LanSubnet.ToString(), "-o", settings.WanInterface,
                 "-m", "comment", "--comment", OwnedChains.CommentPrefix + " LAN masquerade", "-j", "MASQUERADE"]));
        }

        var bound = inventory.ExternalAddresses
            .Where(a => a.BindOnWan)
            .OrderBy(a => a.Interface, StringComparer.Ordinal)
            .ThenBy(a => Ipv4.ToUInt32(a.Address))
            .Select(a => new BoundAddress(a.Address, a.PrefixLength, a.Interface))
            .ToList();

        return new OwnedState(true, [new Jump(1, OwnedChains.JumpRule)], snatRules, masqueradeRules, bound)
        {
            Retired = inventory.RetiredRules.Select(NatRule.FromSaveLine).ToArray(),
        };
    }

    // The order of the words is the order iptables-save prints them in, so a rule read back compares equal.
    private static NatRule SnatRule(InventorySnapshot.ClientRow client, InventorySnapshot.EndpointRow endpoint, InventorySnapshot.ExternalAddressRow external) =>
        new(OwnedChains.Snat,
        [
            "-s", $"{client.LanAddress}/32",
            "-d", endpoint.Destination.ToString(),
            "-m", "comment", "--comment", $"{OwnedChains.CommentPrefix} {CommentSafe(client.Name)} to {CommentSafe(endpoint.Name)}",
            "-j", "SNAT", "--to-source", external.Address.ToString(),
        ]);

    /// <summary>
    /// Names help whoever reads <c>iptables -t nat -L</c> on the router, but they are user text: only letters, digits
    /// and a few harmless marks reach the kernel, everything else becomes '_', so no quote, newline or option can.
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
