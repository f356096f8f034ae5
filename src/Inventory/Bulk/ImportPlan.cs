using System.Net;
using System.Security.Cryptography;
using System.Text;
using RouterAdmin.Domain;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>A client towards an endpoint from an address: named in the file, or the lowest one that was free.</summary>
public sealed record PlannedAssignment(string EndpointName, IPNetwork Endpoint, IPAddress ExternalAddress, bool WasFree);

public sealed record PlannedEndpoint(string Where, InventoryValidator.ValidEndpoint Endpoint);

public sealed record PlannedAddress(string Where, InventoryValidator.ValidExternalAddress Address);

public sealed record PlannedClient(string Where, InventoryValidator.ValidClient Client, IReadOnlyList<PlannedAssignment> Assignments);

/// <summary>A line that will not be imported, and why, keyed by the field the pages' forms use (Name, LanAddress, …).</summary>
public sealed record RefusedLine(string Where, string Field, string Message)
{
    public override string ToString() => $"{Where}: {Message}";
}

/// <summary>A line that is in the inventory already, exactly as the file says: neither created nor refused.</summary>
public sealed record KeptLine(string Where, string What);

/// <summary>
/// What an import will do: what it creates, what the inventory already holds, and what it refuses line by line. The
/// fingerprint names exactly this plan, so a confirmation can insist on the plan its author looked at.
/// </summary>
public sealed record ImportPlan(
    IReadOnlyList<PlannedEndpoint> Endpoints,
    IReadOnlyList<PlannedAddress> ExternalAddresses,
    IReadOnlyList<PlannedClient> Clients,
    IReadOnlyList<KeptLine> Kept,
    IReadOnlyList<RefusedLine> Refused)
{
    public int AssignmentCount => Clients.Sum(c => c.Assignments.Count);

    public bool CreatesAnything => Endpoints.Count + ExternalAddresses.Count + Clients.Count > 0;

    /// <summary>What will be created, one line an item, in the file's order within each kind.</summary>
    public IEnumerable<string> Creates =>
        Endpoints.Select(e => $"VPN endpoint {e.Endpoint.Name} ({Ipv4.Format(e.Endpoint.Destination)})")
            .Concat(ExternalAddresses.Select(a => $"External address {a.Address.Address}/{a.Address.PrefixLength} on {a.Address.Interface}{(a.Address.BindOnWan ? ", bound by RouterAdmin" : "")}"))
            .Concat(Clients.Select(Describe));

    public static string Describe(PlannedClient c) =>
        $"Client {c.Client.Name} ({c.Client.LanAddress}{(c.Client.Enabled ? "" : ", disabled")})"
        + string.Concat(c.Assignments.Select(a => $"; → {a.EndpointName} from {a.ExternalAddress}{(a.WasFree ? " (free)" : "")}"));

    public string Fingerprint
    {
        get
        {
            var text = string.Join('\n', Creates.Concat(Kept.Select(k => "kept " + k.Where)).Concat(Refused.Select(r => "refused " + r)));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }
}
