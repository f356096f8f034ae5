using System.Net;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Detection;

/// <summary>
/// The one action the dashboard offers for a dropped or at-risk VPN user: make the host a client (when the inventory
/// does not know it) and give it a free external address towards its server's endpoint. Like every edit it changes
/// the inventory only; the usual preview and apply take it to the router.
/// </summary>
public sealed class VpnUserFixes(BulkImportService import, AssignmentService assignments, EndpointService endpoints)
{
    /// <returns>What was done, in words, for the snackbar.</returns>
    public async Task<string> GiveOwnAddressAsync(ClassifiedFlow flow, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        if (flow.EndpointId is not { } endpointId || flow.EndpointName is not { } endpointName)
            throw new Conflict($"{flow.Server} is not a VPN endpoint yet: add it as one first.");
        if (flow.ClientId is { } clientId)
        {
            var assigned = await assignments.AssignFreeAsync(clientId, endpointId, actor, ct);
            return $"{flow.ClientName} leaves towards {assigned.EndpointName} from {assigned.ExternalAddress}. Preview and apply to take it to the router.";
        }
        // A new client and its address in one transaction (the bulk import's): if no address is free, nothing is added.
        var line = new ClientLine(NameFor(flow.LanHost), flow.LanHost.ToString(), Notes: $"Found sending ESP to {flow.Server} through the shared address.",
            Assignments: [new AssignmentLine(endpointName)]);
        var file = JsonInventoryFormat.Write(new InventoryDocument([], [], [line]));
        // Said in the import's words for this one line ("no external address is left free …"), not as a file's refusal.
        if ((await import.PreviewAsync(file, BulkFormat.Json, ct)).Refused is [var refused, ..])
            throw new Conflict($"{line.Name} was not added: {refused.Message}");
        var plan = await import.ImportAsync(file, BulkFormat.Json, new ImportConfirmation(), actor, ct);
        var address = plan.Clients.Single().Assignments.Single().ExternalAddress;
        return $"Added {line.Name} as a client; it leaves towards {endpointName} from {address}. Preview and apply to take it to the router.";
    }

    /// <summary>A server seen carrying ESP that no endpoint covers, added as an endpoint of its own.</summary>
    public Task<int> AddServerAsEndpointAsync(IPAddress server, Actor actor, CancellationToken ct = default) =>
        endpoints.CreateAsync(new EndpointDraft { Name = $"VPN server {server}", Destination = server.ToString(), Notes = "Found carrying ESP from the LAN." }, actor, ct);

    public static string NameFor(IPAddress host) => $"VPN user {host}";
}
