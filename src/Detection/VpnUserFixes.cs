using System.Net;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Detection;

/// <summary>What the fix changed in the inventory: nothing of it is on the router until the next preview and apply.</summary>
/// <param name="Done">In words, for the snackbar and the API.</param>
/// <param name="ClientAdded">The host was not a client: it was added as one.</param>
public sealed record VpnUserFix(string Done, int ClientId, string ClientName, bool ClientAdded, int EndpointId, string EndpointName, string ExternalAddress);

/// <summary>
/// The one action the dashboard (and the API) offers for a dropped or at-risk VPN user: make the host a client (when
/// the inventory does not know it) and give it a free external address towards its server's endpoint. Like every edit
/// it changes the inventory only; the usual preview and apply take it to the router.
/// </summary>
public sealed class VpnUserFixes(BulkImportService import, AssignmentService assignments, EndpointService endpoints, InventoryStore store)
{
    private const string Next = "Preview and apply to take it to the router.";

    public async Task<VpnUserFix> GiveOwnAddressAsync(DetectedVpnUser user, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var flow = user.Flow;
        if (flow.EndpointId is not { } endpointId || flow.EndpointName is not { } endpointName)
            throw new Conflict($"{flow.Server} is not a VPN endpoint yet: add it as one first.");
        if (flow.ClientId is { } clientId)
        {
            var assigned = await assignments.AssignFreeAsync(clientId, endpointId, actor, ct);
            return new VpnUserFix($"{flow.ClientName} leaves towards {assigned.EndpointName} from {assigned.ExternalAddress}. {Next}",
                clientId, assigned.ClientName, ClientAdded: false, endpointId, assigned.EndpointName, assigned.ExternalAddress);
        }
        // A new client and its address in one transaction (the bulk import's), planned once inside it: if no address is
        // free, the line is refused and nothing is added.
        var line = new ClientLine(NameFor(flow.LanHost), flow.LanHost.ToString(), user.Mac, Notes: $"Found sending {flow.Traffic.ToString().ToUpperInvariant()} to {flow.Server} through the shared address.",
            Assignments: [new AssignmentLine(endpointName)]);
        var file = JsonInventoryFormat.Write(new InventoryDocument([], [], [line]));
        var plan = await import.ImportAsync(file, BulkFormat.Json, new ImportConfirmation(SkipRefused: true), actor, ct);
        if (plan.Refused is [var refused, ..]) throw Refused(line, refused);
        var address = plan.Clients.Single().Assignments.Single().ExternalAddress;
        var client = (await store.CaptureAsync(ct)).Clients.First(c => c.LanAddress.Equals(flow.LanHost));
        return new VpnUserFix($"Added {line.Name} as a client; it leaves towards {endpointName} from {address}. {Next}",
            client.Id, client.Name, ClientAdded: true, endpointId, endpointName, address.ToString());
    }

    /// <summary>Said in the import's words for this one line, not as a file's refusal; bad input keeps the pages' field name.</summary>
    private static Refusal Refused(ClientLine line, RefusedLine refused) => refused.Field switch
    {
        nameof(ClientDraft.Name) or nameof(ClientDraft.LanAddress) or nameof(ClientDraft.MacAddress) =>
            InvalidInput.For(refused.Field, $"{line.Name} was not added: {refused.Message}"),
        _ => new Conflict($"{line.Name} was not added: {refused.Message}"),
    };

    /// <summary>A server seen carrying ESP or IKE that no endpoint covers, added as an endpoint of its own.</summary>
    public Task<int> AddServerAsEndpointAsync(IPAddress server, Actor actor, CancellationToken ct = default) =>
        endpoints.CreateAsync(new EndpointDraft { Name = EndpointNameFor(server), Destination = server.ToString(), Notes = "Found carrying VPN traffic from the LAN." }, actor, ct);

    public static string NameFor(IPAddress host) => $"VPN user {host}";

    public static string EndpointNameFor(IPAddress server) => $"VPN server {server}";
}
