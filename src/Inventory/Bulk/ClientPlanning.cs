using System.Net;
using RouterAdmin.Domain;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// The client lines of an import. First every line is checked and takes the addresses it names, so a named address is
/// never handed out as a free one to an earlier line; then, in the file's order, each takes the lowest free address
/// towards each endpoint it only names. A line that fails anywhere gives back what it took and is refused whole.
/// </summary>
internal sealed class ClientPlanning(InventorySnapshot inventory, RouterSettings settings, KnownEndpoints endpoints, AddressPool pool, List<RefusedLine> refused)
{
    private const string AssignmentsField = "Endpoints";

    private sealed record Pending(string Where, InventoryValidator.ValidClient Client, List<PlannedAssignment> Named, List<(string Name, IPNetwork Destination)> Free);

    public IReadOnlyList<PlannedClient> Plan(IReadOnlyList<Located<ClientLine>> lines)
    {
        var names = new HashSet<string>(inventory.Clients.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        var lanAddresses = inventory.Clients.ToDictionary(c => c.LanAddress, c => c.Name);
        var pending = new List<Pending>();
        foreach (var (where, line) in lines)
        {
            var draft = new ClientDraft { Name = line.Name, LanAddress = line.LanAddress, MacAddress = line.MacAddress ?? "", Notes = line.Notes ?? "", Enabled = line.Enabled };
            if (!ImportPlanner.TryValidate(where, () => InventoryValidator.Validate(draft, settings), refused, out var client)) continue;
            if (lanAddresses.TryGetValue(client.LanAddress, out var holder))
            {
                Refuse(where, nameof(ClientDraft.LanAddress), $"{client.LanAddress} is already used by client {holder}.");
                continue;
            }
            if (!names.Add(client.Name))
            {
                Refuse(where, nameof(ClientDraft.Name), $"Another client is already called {client.Name}.");
                continue;
            }
            if (TakeNamed(where, client, line.Assignments ?? []) is not { } taken)
            {
                names.Remove(client.Name);
                continue;
            }
            lanAddresses[client.LanAddress] = client.Name;
            pending.Add(taken);
        }
        var planned = new List<PlannedClient>(pending.Count);
        foreach (var line in pending)
        {
            if (TakeFree(line) is { } free)
                planned.Add(new PlannedClient(line.Where, line.Client, [.. line.Named, .. free]));
            else
                foreach (var a in line.Named) pool.Release(a.Endpoint, a.ExternalAddress);
        }
        return planned;
    }

    private Pending? TakeNamed(string where, InventoryValidator.ValidClient client, IReadOnlyList<AssignmentLine> assignments)
    {
        var line = new Pending(where, client, [], []);
        foreach (var assignment in assignments)
        {
            var (endpoint, problem) = endpoints.Find(assignment.Endpoint);
            if (endpoint is not { } found) return GiveBack(line, problem!);
            if (line.Named.Any(a => a.Endpoint == found.Destination) || line.Free.Contains(found))
                return GiveBack(line, $"{found.Name} is named twice; a client leaves from one address towards an endpoint.");
            if (string.IsNullOrWhiteSpace(assignment.ExternalAddress))
            {
                line.Free.Add(found);
                continue;
            }
            if (!Ipv4.TryParseStrict(assignment.ExternalAddress.Trim(), out var address) || !pool.Exists(address))
                return GiveBack(line, $"\"{assignment.ExternalAddress}\" is not one of the external addresses (in the inventory or the file).");
            if (pool.IsTaken(found.Destination, address))
                return GiveBack(line, $"{address} already serves another client towards {found.Name}.");
            pool.Take(found.Destination, address);
            line.Named.Add(new PlannedAssignment(found.Name, found.Destination, address, WasFree: false));
        }
        return line;
    }

    private List<PlannedAssignment>? TakeFree(Pending line)
    {
        var taken = new List<PlannedAssignment>();
        foreach (var (name, destination) in line.Free)
        {
            if (pool.TakeLowestFree(destination) is { } address)
            {
                taken.Add(new PlannedAssignment(name, destination, address, WasFree: true));
                continue;
            }
            foreach (var a in taken) pool.Release(a.Endpoint, a.ExternalAddress);
            Refuse(line.Where, AssignmentsField, pool.Count == 0
                ? $"No external address exists, so none is free for {name}. Add external addresses (in the inventory or the file)."
                : $"No external address is left free for {name}: all {pool.Count} are taken by then. Add external addresses, or assign fewer clients.");
            return null;
        }
        return taken;
    }

    private Pending? GiveBack(Pending line, string problem)
    {
        foreach (var a in line.Named) pool.Release(a.Endpoint, a.ExternalAddress);
        Refuse(line.Where, AssignmentsField, problem);
        return null;
    }

    private void Refuse(string where, string field, string message) => refused.Add(new RefusedLine(where, field, message));
}
