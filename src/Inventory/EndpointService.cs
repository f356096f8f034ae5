using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>The VPN endpoints: destinations whose traffic leaves from a per-client external address.</summary>
public sealed class EndpointService(IDbContextFactory<AppDbContext> dbFactory, InventoryWriter writer)
{
    public async Task<IReadOnlyList<EndpointRow>> ListAsync(string? search = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.ExternalAddresses.CountAsync(ct);
        // A router has a handful of endpoints: filter them here rather than teach SQL about CIDR text.
        var rows = await db.Endpoints.AsNoTracking().OrderBy(e => e.Name)
            .Select(e => new { e.Id, e.Name, e.Destination, e.Notes, Used = e.Assignments.Count })
            .ToListAsync(ct);
        var term = search?.Trim() ?? "";
        return rows.Select(e => new EndpointRow(e.Id, e.Name, Ipv4.Format(e.Destination), e.Notes, e.Used, total))
            .Where(e => term.Length == 0 || e.Name.Contains(term, StringComparison.OrdinalIgnoreCase) || e.Destination.Contains(term, StringComparison.Ordinal))
            .ToArray();
    }

    public async Task<IReadOnlyList<Option>> GetOptionsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Endpoints.AsNoTracking().OrderBy(e => e.Name).Select(e => new { e.Id, e.Name, e.Destination }).ToListAsync(ct);
        return rows.Select(e => new Option(e.Id, $"{e.Name} ({Ipv4.Format(e.Destination)})")).ToArray();
    }

    /// <summary>The endpoint with every external address and the client (if any) that leaves from it towards the endpoint.</summary>
    public async Task<EndpointDetails?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return null;
        var holders = await db.ExternalAddresses.AsNoTracking()
            .OrderBy(a => a.Address)
            .Select(a => new
            {
                a.Id, a.Address,
                Holder = a.Assignments.Where(x => x.EndpointId == id)
                    .Select(x => new { x.Id, x.ClientId, x.Client.Name, x.Client.LanAddress }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return new EndpointDetails(endpoint.Id, endpoint.Name, Ipv4.Format(endpoint.Destination), endpoint.Notes,
            holders.Select(h => new EndpointHolder(h.Id, h.Address.ToString(), h.Holder?.Id, h.Holder?.ClientId, h.Holder?.Name, h.Holder?.LanAddress.ToString())).ToArray());
    }

    /// <summary>The endpoint as its edit form holds it, or null when it no longer exists.</summary>
    public async Task<EndpointDraft?> GetDraftAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);
        return endpoint is null ? null : EndpointDraft.From(endpoint);
    }

    public async Task<int> CreateAsync(EndpointDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        await EnsureDestinationFreeAsync(db, valid.Destination, exceptId: null, ct);
        var endpoint = new VpnEndpoint { Name = valid.Name, Destination = valid.Destination, Notes = valid.Notes };
        db.Endpoints.Add(endpoint);
        writer.Audit(db, actor, AuditActions.EndpointCreate, $"VPN endpoint {valid.Name}", Ipv4.Format(valid.Destination));
        await writer.SaveUniqueAsync(db, nameof(EndpointDraft.Destination), DestinationTaken(valid.Destination), ct);
        return endpoint.Id;
    }

    public async Task UpdateAsync(int id, EndpointDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw ChangeText.Gone("VPN endpoint");
        await EnsureDestinationFreeAsync(db, valid.Destination, exceptId: id, ct);
        var changes = ChangeText.Describe(("name", endpoint.Name, valid.Name), ("destination", Ipv4.Format(endpoint.Destination), Ipv4.Format(valid.Destination)), ("notes", endpoint.Notes, valid.Notes));
        (endpoint.Name, endpoint.Destination, endpoint.Notes) = (valid.Name, valid.Destination, valid.Notes);
        writer.Audit(db, actor, AuditActions.EndpointUpdate, $"VPN endpoint {valid.Name}", changes);
        await writer.SaveUniqueAsync(db, nameof(EndpointDraft.Destination), DestinationTaken(valid.Destination), ct);
    }

    public async Task<DeletionImpact> GetDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw ChangeText.Gone("VPN endpoint");
        return new DeletionImpact($"VPN endpoint {endpoint.Name} ({Ipv4.Format(endpoint.Destination)})", await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.EndpointId == id), ct));
    }

    public async Task DeleteAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw ChangeText.Gone("VPN endpoint");
        var assignments = await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.EndpointId == id), ct);
        ChangeText.EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.Endpoints.Remove(endpoint);
        writer.Audit(db, actor, AuditActions.EndpointDelete, $"VPN endpoint {endpoint.Name}", ChangeText.Removed(Ipv4.Format(endpoint.Destination), assignments));
        await writer.SaveAsync(db, ct);
    }

    private static string DestinationTaken(IPNetwork destination) => $"{Ipv4.Format(destination)} is already an endpoint.";

    private static async Task EnsureDestinationFreeAsync(AppDbContext db, IPNetwork destination, int? exceptId, CancellationToken ct)
    {
        var others = await db.Endpoints.AsNoTracking().Where(e => e.Id != exceptId).Select(e => new { e.Name, e.Destination }).ToListAsync(ct);
        if (Clash(destination, others.Select(o => (o.Name, o.Destination))) is { } problem)
            throw InvalidInput.For(nameof(EndpointDraft.Destination), problem);
    }

    /// <summary>Why a destination cannot sit beside the others (the same one, or an overlap), or null; the bulk import asks too.</summary>
    internal static string? Clash(IPNetwork destination, IEnumerable<(string Name, IPNetwork Destination)> others)
    {
        // Overlapping destinations would make one client's traffic match two SNAT rules, and rule order would decide.
        foreach (var (name, other) in others)
        {
            if (other == destination) return $"{Ipv4.Format(destination)} is already the endpoint {name}.";
            if (other.Contains(destination.BaseAddress) || destination.Contains(other.BaseAddress))
                return $"{Ipv4.Format(destination)} overlaps the endpoint {name} ({Ipv4.Format(other)}).";
        }
        return null;
    }
}
