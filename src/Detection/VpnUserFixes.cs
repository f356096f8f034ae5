using System.Net;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Detection;

/// <summary>
/// The one action the dashboard offers for a dropped or at-risk VPN user: make the host a client (when the inventory
/// does not know it) and give it a free external address towards its server's endpoint. Like every edit it changes
/// the inventory only; the usual preview and apply take it to the router.
/// </summary>
public sealed class VpnUserFixes(ClientService clients, AssignmentService assignments, EndpointService endpoints)
{
    /// <returns>What was done, in words, for the snackbar.</returns>
    public async Task<string> GiveOwnAddressAsync(ClassifiedFlow flow, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        if (flow.EndpointId is not { } endpointId)
            throw new Conflict($"{flow.Server} is not a VPN endpoint yet: add it as one first.");
        // Refused before the client is created: a fix that cannot give an address adds nothing.
        if (flow.ClientId is null && (await assignments.GetFreeAddressesAsync(endpointId, null, ct)).Count == 0)
            throw new Conflict($"No external address is free for {flow.EndpointName}; nothing was added. Add an external address, or free one by unassigning.");

        var clientId = flow.ClientId ?? await clients.CreateAsync(new ClientDraft
        {
            Name = NameFor(flow.LanHost),
            LanAddress = flow.LanHost.ToString(),
            Notes = $"Found sending ESP to {flow.Server} through the shared address.",
        }, actor, ct);
        var assigned = await assignments.AssignFreeAsync(clientId, endpointId, actor, ct);
        return $"{(flow.ClientId is null ? $"Added {NameFor(flow.LanHost)} as a client; it" : flow.ClientName)} leaves towards {assigned.EndpointName} from {assigned.ExternalAddress}. Preview and apply to take it to the router.";
    }

    /// <summary>A server seen carrying ESP that no endpoint covers, added as an endpoint of its own.</summary>
    public Task<int> AddServerAsEndpointAsync(IPAddress server, Actor actor, CancellationToken ct = default) =>
        endpoints.CreateAsync(new EndpointDraft { Name = $"VPN server {server}", Destination = server.ToString(), Notes = "Found carrying ESP from the LAN." }, actor, ct);

    public static string NameFor(IPAddress host) => $"VPN user {host}";
}
