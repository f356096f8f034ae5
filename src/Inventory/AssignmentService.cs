using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Data.Configurations;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>
/// Which external address each client leaves from towards each VPN endpoint, including the new-employee journey of
/// giving a client the lowest free address. The unique indexes are the last word on races between administrators.
/// </summary>
public sealed class AssignmentService(IDbContextFactory<AppDbContext> dbFactory, InventoryWriter writer)
{
    private const int MaxAssignAttempts = 5;

    public async Task<Page<AssignmentRow>> GetPageAsync(PageRequest request, int? endpointId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Assignments.AsNoTracking();
        if (endpointId is not null) query = query.Where(a => a.EndpointId == endpointId);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = SearchPattern.Containing(request.Search);
            query = query.Where(a => EF.Functions.Like(a.Client.Name, term, SearchPattern.Escape) || EF.Functions.Like(a.Endpoint.Name, term, SearchPattern.Escape)
                || EF.Functions.Like(EF.Property<string>(a.Client, AddressColumns.LanAddressText), term, SearchPattern.Escape)
                || EF.Functions.Like(EF.Property<string>(a.ExternalAddress, AddressColumns.AddressText), term, SearchPattern.Escape));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            (SortKeys.Endpoint, false) => query.OrderBy(a => a.Endpoint.Name).ThenBy(a => a.ExternalAddress.Address),
            (SortKeys.Endpoint, true) => query.OrderByDescending(a => a.Endpoint.Name).ThenBy(a => a.ExternalAddress.Address),
            (SortKeys.External, false) => query.OrderBy(a => a.ExternalAddress.Address).ThenBy(a => a.Endpoint.Name),
            (SortKeys.External, true) => query.OrderByDescending(a => a.ExternalAddress.Address).ThenBy(a => a.Endpoint.Name),
            (SortKeys.Address, false) => query.OrderBy(a => a.Client.LanAddress),
            (SortKeys.Address, true) => query.OrderByDescending(a => a.Client.LanAddress),
            (SortKeys.Assigned, false) => query.OrderBy(a => a.AssignedAt),
            (SortKeys.Assigned, true) => query.OrderByDescending(a => a.AssignedAt),
            (_, true) => query.OrderByDescending(a => a.Client.Name).ThenBy(a => a.Endpoint.Name),
            _ => query.OrderBy(a => a.Client.Name).ThenBy(a => a.Endpoint.Name),
        };
        var rows = await query.Skip(request.Skip).Take(request.PageSize)
            .Select(a => new
            {
                a.Id, a.ClientId, ClientName = a.Client.Name, a.Client.LanAddress, a.Client.Enabled,
                a.EndpointId, EndpointName = a.Endpoint.Name, a.Endpoint.Destination,
                a.ExternalAddressId, a.ExternalAddress.Address, a.AssignedAt,
            })
            .ToListAsync(ct);
        return new Page<AssignmentRow>(rows.Select(a => new AssignmentRow(a.Id, a.ClientId, a.ClientName, a.LanAddress.ToString(), a.Enabled,
            a.EndpointId, a.EndpointName, Ipv4.Format(a.Destination), a.ExternalAddressId, a.Address.ToString(), a.AssignedAt)).ToArray(), total);
    }

    /// <summary>External addresses no other client uses towards this endpoint, lowest first.</summary>
    public async Task<IReadOnlyList<AddressOption>> GetFreeAddressesAsync(int endpointId, int? forClientId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await FreeAddresses(db, endpointId, forClientId)
            .Select(a => new { a.Id, a.Address, a.Interface })
            .ToListAsync(ct);
        return rows.Select(a => new AddressOption(a.Id, a.Address.ToString(), a.Interface)).ToArray();
    }

    /// <summary>
    /// The new-employee journey: give the client the lowest external address that no other client uses towards the
    /// endpoint. If another administrator takes that address at the same moment, the unique index refuses one of the
    /// two inserts and the loser simply tries the next free address; when none is left it is told so.
    /// </summary>
    public async Task<AssignmentRow> AssignFreeAsync(int clientId, int endpointId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var (client, endpoint) = await LoadPairAsync(db, clientId, endpointId, ct);
            var free = await FreeAddresses(db, endpointId, clientId).FirstOrDefaultAsync(ct);
            if (free is null) throw new NoFreeAddress(endpoint.Name, await db.ExternalAddresses.CountAsync(ct));
            try
            {
                return await InsertAsync(db, client, endpoint, free, actor, ct);
            }
            catch (AddressTakenException) when (attempt < MaxAssignAttempts)
            {
                // Someone else just took it; look again.
            }
            catch (AddressTakenException)
            {
                throw new Conflict($"Other administrators kept taking the free addresses for {endpoint.Name}; nothing was assigned. Try again.");
            }
        }
    }

    /// <summary>
    /// Bulk work on the Clients page: the lowest free addresses towards one endpoint for several clients at once, all in
    /// one transaction (one change notification) or none. Clients that already leave from an address towards it keep it.
    /// </summary>
    public async Task<BulkAssignment> AssignFreeToEachAsync(IReadOnlyCollection<int> clientIds, int endpointId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        if (clientIds.Count == 0) throw InvalidInput.For("Clients", "Select at least one client.");
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == endpointId, ct) ?? throw ChangeText.Gone("VPN endpoint");
            var clients = await db.Clients.Where(c => clientIds.Contains(c.Id)).ToListAsync(ct);
            if (clients.Count != clientIds.Distinct().Count()) throw ChangeText.Gone("client");
            var served = await db.Assignments.Where(a => a.EndpointId == endpointId && clientIds.Contains(a.ClientId)).Select(a => a.ClientId).ToListAsync(ct);
            var waiting = clients.Where(c => !served.Contains(c.Id)).OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            var free = await FreeAddresses(db, endpointId, null).Take(waiting.Length).ToListAsync(ct);
            if (waiting.Length > 0 && free.Count == 0) throw new NoFreeAddress(endpoint.Name, await db.ExternalAddresses.CountAsync(ct));
            if (free.Count < waiting.Length)
                throw new Conflict($"{endpoint.Name} has {free.Count} free external address(es) for the {waiting.Length} client(s) that need one; nothing was assigned. Add external addresses, or select fewer clients.");
            var assignments = waiting.Zip(free, (client, address) => (client, address, row: new Assignment
            {
                ClientId = client.Id, EndpointId = endpoint.Id, ExternalAddressId = address.Id, AssignedAt = writer.Now,
            })).ToArray();
            foreach (var (client, address, row) in assignments)
            {
                db.Assignments.Add(row);
                writer.Audit(db, actor, AuditActions.AssignmentCreate, $"Client {client.Name} → {endpoint.Name}", $"{client.LanAddress} leaves from {address.Address}");
            }
            try
            {
                await writer.SaveAsync(db, _ => new AddressTakenException(), ct);
            }
            catch (AddressTakenException) when (attempt < MaxAssignAttempts)
            {
                continue; // another administrator took one of them: plan the whole batch again
            }
            catch (AddressTakenException)
            {
                throw new Conflict($"Other administrators kept changing the assignments for {endpoint.Name}; nothing was assigned. Try again.");
            }
            return new BulkAssignment(
                assignments.Select(a => new AssignmentRow(a.row.Id, a.client.Id, a.client.Name, a.client.LanAddress.ToString(), a.client.Enabled, endpoint.Id,
                    endpoint.Name, Ipv4.Format(endpoint.Destination), a.address.Id, a.address.Address.ToString(), a.row.AssignedAt)).ToArray(),
                clients.Where(c => served.Contains(c.Id)).Select(c => c.Name).Order(StringComparer.OrdinalIgnoreCase).ToArray());
        }
    }

    /// <summary>Assigns the address the administrator picked; refuses if it was taken in the meantime.</summary>
    public async Task<AssignmentRow> AssignAsync(int clientId, int endpointId, int externalAddressId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (client, endpoint) = await LoadPairAsync(db, clientId, endpointId, ct);
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == externalAddressId, ct) ?? throw ChangeText.Gone("external address");
        try
        {
            return await InsertAsync(db, client, endpoint, address, actor, ct);
        }
        catch (AddressTakenException)
        {
            throw new Conflict($"{address.Address} was just taken for {endpoint.Name} by another client; pick another free address.");
        }
    }

    /// <summary>Moves an existing assignment to another external address (for the same endpoint).</summary>
    public async Task ReassignAsync(int assignmentId, int externalAddressId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadAsync(db, assignmentId, ct);
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == externalAddressId, ct) ?? throw ChangeText.Gone("external address");
        if (address.Id == assignment.ExternalAddressId) return;
        var holder = await db.Assignments.Where(a => a.EndpointId == assignment.EndpointId && a.ExternalAddressId == address.Id)
            .Select(a => a.Client.Name).FirstOrDefaultAsync(ct);
        if (holder is not null)
            throw new Conflict($"{address.Address} already serves {holder} towards {assignment.Endpoint.Name}; pick a free address.");
        writer.Audit(db, actor, AuditActions.AssignmentUpdate, $"Client {assignment.Client.Name} → {assignment.Endpoint.Name}", $"{assignment.ExternalAddress.Address} → {address.Address}");
        assignment.ExternalAddressId = address.Id;
        assignment.AssignedAt = writer.Now;
        await writer.SaveAsync(db,
            _ => new Conflict($"{address.Address} was just taken for {assignment.Endpoint.Name}; pick another free address."), ct);
    }

    public async Task UnassignAsync(int assignmentId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadAsync(db, assignmentId, ct);
        db.Assignments.Remove(assignment);
        writer.Audit(db, actor, AuditActions.AssignmentDelete, $"Client {assignment.Client.Name} → {assignment.Endpoint.Name}", $"freed {assignment.ExternalAddress.Address}");
        await writer.SaveAsync(db, ct);
    }

    private static async Task<Assignment> LoadAsync(AppDbContext db, int assignmentId, CancellationToken ct) =>
        await db.Assignments.Include(a => a.Client).Include(a => a.Endpoint).Include(a => a.ExternalAddress)
            .SingleOrDefaultAsync(a => a.Id == assignmentId, ct) ?? throw ChangeText.Gone("assignment");

    private static IQueryable<ExternalAddress> FreeAddresses(AppDbContext db, int endpointId, int? forClientId) =>
        db.ExternalAddresses.AsNoTracking()
            .Where(a => !a.Assignments.Any(x => x.EndpointId == endpointId && x.ClientId != forClientId))
            .OrderBy(a => a.Address);

    private static async Task<(Client, VpnEndpoint)> LoadPairAsync(AppDbContext db, int clientId, int endpointId, CancellationToken ct)
    {
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == clientId, ct) ?? throw ChangeText.Gone("client");
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == endpointId, ct) ?? throw ChangeText.Gone("VPN endpoint");
        var existing = await db.Assignments.Where(a => a.ClientId == clientId && a.EndpointId == endpointId)
            .Select(a => a.ExternalAddress.Address).FirstOrDefaultAsync(ct);
        if (existing is not null)
            throw new Conflict($"{client.Name} already leaves from {existing} towards {endpoint.Name}; change that assignment instead.");
        return (client, endpoint);
    }

    private async Task<AssignmentRow> InsertAsync(AppDbContext db, Client client, VpnEndpoint endpoint, ExternalAddress address, Actor actor, CancellationToken ct)
    {
        var assignment = new Assignment { ClientId = client.Id, EndpointId = endpoint.Id, ExternalAddressId = address.Id, AssignedAt = writer.Now };
        db.Assignments.Add(assignment);
        writer.Audit(db, actor, AuditActions.AssignmentCreate, $"Client {client.Name} → {endpoint.Name}", $"{client.LanAddress} leaves from {address.Address}");
        await writer.SaveAsync(db, e => SqliteErrors.Names(e, nameof(Assignment.ClientId))
            ? new Conflict($"{client.Name} was just given an address for {endpoint.Name} by another administrator.")
            : new AddressTakenException(), ct);
        return new AssignmentRow(assignment.Id, client.Id, client.Name, client.LanAddress.ToString(), client.Enabled, endpoint.Id, endpoint.Name,
            Ipv4.Format(endpoint.Destination), address.Id, address.Address.ToString(), assignment.AssignedAt);
    }

    /// <summary>The unique index refused the address: someone took it first. Internal to the retry.</summary>
    private sealed class AddressTakenException : Exception;
}
