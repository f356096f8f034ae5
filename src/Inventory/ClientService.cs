using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Data.Configurations;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>
/// The LAN clients. Every write is validated by <see cref="InventoryValidator"/> plus the checks that need the database,
/// is atomic, and records who made it. A DbContext per operation: Blazor circuits live long and a context is not thread-safe.
/// </summary>
public sealed class ClientService(IDbContextFactory<AppDbContext> dbFactory, InventoryWriter writer)
{
    public async Task<Page<ClientRow>> GetPageAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Clients.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = SearchPattern.Containing(request.Search);
            query = query.Where(c => EF.Functions.Like(c.Name, term, SearchPattern.Escape)
                || EF.Functions.Like(EF.Property<string>(c, AddressColumns.LanAddressText), term, SearchPattern.Escape)
                || (c.MacAddress != null && EF.Functions.Like(c.MacAddress, term, SearchPattern.Escape)));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            (SortKeys.Address, false) => query.OrderBy(c => c.LanAddress),
            (SortKeys.Address, true) => query.OrderByDescending(c => c.LanAddress),
            (SortKeys.Enabled, false) => query.OrderBy(c => c.Enabled).ThenBy(c => c.Name),
            (SortKeys.Enabled, true) => query.OrderByDescending(c => c.Enabled).ThenBy(c => c.Name),
            (SortKeys.Assignments, false) => query.OrderBy(c => c.Assignments.Count).ThenBy(c => c.Name),
            (SortKeys.Assignments, true) => query.OrderByDescending(c => c.Assignments.Count).ThenBy(c => c.Name),
            (_, true) => query.OrderByDescending(c => c.Name).ThenByDescending(c => c.Id),
            _ => query.OrderBy(c => c.Name).ThenBy(c => c.Id),
        };
        var page = await query.Skip(request.Skip).Take(request.PageSize)
            .Select(c => new
            {
                c.Id, c.Name, c.LanAddress, c.MacAddress, c.Enabled,
                Assignments = c.Assignments.OrderBy(a => a.Endpoint.Name).Select(a => new { a.Endpoint.Name, a.ExternalAddress.Address }).ToList(),
            })
            .ToListAsync(ct);
        return new Page<ClientRow>(
            page.Select(c => new ClientRow(c.Id, c.Name, c.LanAddress.ToString(), c.MacAddress, c.Enabled,
                c.Assignments.Select(a => $"{a.Name} → {a.Address}").ToArray())).ToArray(),
            total);
    }

    /// <summary>Clients matching a search, for pickers: by name or address, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Option>> FindOptionsAsync(string? search, int limit = 20, CancellationToken ct = default)
    {
        var page = await GetPageAsync(new PageRequest(0, limit, search), ct);
        return page.Items.Select(c => new Option(c.Id, $"{c.Name} ({c.LanAddress})")).ToArray();
    }

    public async Task<ClientDetails?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var client = await db.Clients.AsNoTracking()
            .Include(c => c.Assignments).ThenInclude(a => a.Endpoint)
            .Include(c => c.Assignments).ThenInclude(a => a.ExternalAddress)
            .SingleOrDefaultAsync(c => c.Id == id, ct);
        if (client is null) return null;
        return new ClientDetails(client.Id, client.Name, client.LanAddress.ToString(), client.MacAddress, client.Notes, client.Enabled,
            client.Assignments.OrderBy(a => a.Endpoint.Name, StringComparer.OrdinalIgnoreCase)
                .Select(a => new ClientAssignmentView(a.Id, a.EndpointId, a.Endpoint.Name, Ipv4.Format(a.Endpoint.Destination), a.ExternalAddressId, a.ExternalAddress.Address.ToString()))
                .ToArray());
    }

    public async Task<int> CreateAsync(ClientDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        await EnsureAddressFreeAsync(db, valid.LanAddress, exceptId: null, ct);
        var client = new Client { Name = valid.Name, LanAddress = valid.LanAddress, MacAddress = valid.MacAddress, Notes = valid.Notes, Enabled = valid.Enabled };
        db.Clients.Add(client);
        writer.Audit(db, actor, AuditActions.ClientCreate, $"Client {valid.Name}", $"{valid.LanAddress}{(valid.Enabled ? "" : ", disabled")}");
        await writer.SaveUniqueAsync(db, nameof(ClientDraft.LanAddress), AddressTaken(valid.LanAddress), ct);
        return client.Id;
    }

    public async Task UpdateAsync(int id, ClientDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw ChangeText.Gone("client");
        await EnsureAddressFreeAsync(db, valid.LanAddress, exceptId: id, ct);
        var changes = ChangeText.Describe(
            ("name", client.Name, valid.Name), ("address", client.LanAddress.ToString(), valid.LanAddress.ToString()),
            ("MAC", client.MacAddress, valid.MacAddress), ("enabled", client.Enabled.ToString(), valid.Enabled.ToString()),
            ("notes", client.Notes, valid.Notes));
        (client.Name, client.LanAddress, client.MacAddress, client.Notes, client.Enabled) = (valid.Name, valid.LanAddress, valid.MacAddress, valid.Notes, valid.Enabled);
        writer.Audit(db, actor, AuditActions.ClientUpdate, $"Client {valid.Name}", changes);
        await writer.SaveUniqueAsync(db, nameof(ClientDraft.LanAddress), AddressTaken(valid.LanAddress), ct);
    }

    public async Task<DeletionImpact> GetDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw ChangeText.Gone("client");
        var assignments = await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.ClientId == id), ct);
        return new DeletionImpact($"client {client.Name} ({client.LanAddress})", assignments);
    }

    public async Task DeleteAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw ChangeText.Gone("client");
        var assignments = await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.ClientId == id), ct);
        ChangeText.EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.Clients.Remove(client);
        writer.Audit(db, actor, AuditActions.ClientDelete, $"Client {client.Name}", ChangeText.Removed(client.LanAddress.ToString(), assignments));
        await writer.SaveAsync(db, ct);
    }

    private static string AddressTaken(IPAddress address) => $"{address} is already used by another client.";

    private static async Task EnsureAddressFreeAsync(AppDbContext db, IPAddress address, int? exceptId, CancellationToken ct)
    {
        var other = await db.Clients.Where(c => c.LanAddress == address && c.Id != exceptId).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (other is not null)
            throw InvalidInput.For(nameof(ClientDraft.LanAddress), $"{address} is already used by client {other}.");
    }
}
