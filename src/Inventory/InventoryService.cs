using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Data.Configurations;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>
/// Reads and changes the inventory. Every write is validated by <see cref="InventoryValidator"/> plus the checks that
/// need the database, is atomic, and records who made it. Nothing here touches the kernel.
/// A DbContext per operation: Blazor circuits live long and a context is not thread-safe.
/// </summary>
public sealed class InventoryService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    private const int MaxAssignAttempts = 5;

    /// <summary>Raised after every successful change, so the pending-changes badge can look again.</summary>
    public event Action? Changed;

    // ---------------------------------------------------------------- settings

    public async Task<RouterSettings> GetSettingsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await LoadSettingsAsync(db, ct);
    }

    public async Task UpdateSettingsAsync(SettingsDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var valid = InventoryValidator.Validate(draft);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.Settings.SingleAsync(ct);

        var errors = new ValidationErrors();
        var clients = await db.Clients.AsNoTracking().Select(c => c.LanAddress).ToListAsync(ct);
        var outside = clients.Where(a => !valid.LanSubnet.Contains(a)).ToList();
        if (outside.Count > 0)
            errors.Add(nameof(SettingsDraft.LanSubnet), $"{outside.Count} client(s) would be outside {valid.LanSubnet} (e.g. {outside[0]}); move them first.");
        var externals = await db.ExternalAddresses.AsNoTracking().Select(a => a.Address).ToListAsync(ct);
        var inside = externals.Where(valid.LanSubnet.Contains).ToList();
        if (inside.Count > 0)
            errors.Add(nameof(SettingsDraft.LanSubnet), $"External address {inside[0]} would be inside {valid.LanSubnet}.");
        var endpoints = await db.Endpoints.AsNoTracking().Select(e => new { e.Name, e.Destination }).ToListAsync(ct);
        // SNAT rules carry no -o: a VPN endpoint inside the LAN would rewrite LAN-to-LAN traffic to a public source.
        var overlapping = endpoints.FirstOrDefault(e => valid.LanSubnet.Contains(e.Destination.BaseAddress) || e.Destination.Contains(valid.LanSubnet.BaseAddress));
        if (overlapping is not null)
            errors.Add(nameof(SettingsDraft.LanSubnet), $"{valid.LanSubnet} would overlap the VPN endpoint {overlapping.Name} ({Ipv4.Format(overlapping.Destination)}).");
        if (!errors.IsEmpty) throw new InventoryValidationException(errors);

        var before = $"WAN {settings.WanInterface}, LAN {settings.LanSubnet}, masquerade {(settings.ManageMasquerade ? "managed" : "not managed")}";
        settings.WanInterface = valid.WanInterface;
        settings.LanSubnet = valid.LanSubnet;
        settings.ManageMasquerade = valid.ManageMasquerade;
        Audit(db, actor, "settings.update", "Router settings",
            $"{before} → WAN {valid.WanInterface}, LAN {valid.LanSubnet}, masquerade {(valid.ManageMasquerade ? "managed" : "not managed")}");
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- clients

    public async Task<Page<ClientRow>> GetClientsAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Clients.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = request.Search.Trim();
            query = query.Where(c => EF.Functions.Like(c.Name, $"%{EscapeLike(term)}%", "\\")
                || EF.Functions.Like(EF.Property<string>(c, AddressColumns.LanAddressText), $"%{EscapeLike(term)}%", "\\")
                || (c.MacAddress != null && EF.Functions.Like(c.MacAddress, $"%{EscapeLike(term)}%", "\\")));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            ("address", false) => query.OrderBy(c => c.LanAddress),
            ("address", true) => query.OrderByDescending(c => c.LanAddress),
            ("enabled", false) => query.OrderBy(c => c.Enabled).ThenBy(c => c.Name),
            ("enabled", true) => query.OrderByDescending(c => c.Enabled).ThenBy(c => c.Name),
            ("assignments", false) => query.OrderBy(c => c.Assignments.Count).ThenBy(c => c.Name),
            ("assignments", true) => query.OrderByDescending(c => c.Assignments.Count).ThenBy(c => c.Name),
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

    public async Task<ClientDetails?> GetClientAsync(int id, CancellationToken ct = default)
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

    public async Task<int> CreateClientAsync(ClientDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        await EnsureClientAddressFreeAsync(db, valid.LanAddress, exceptId: null, ct);
        var client = new Client { Name = valid.Name, LanAddress = valid.LanAddress, MacAddress = valid.MacAddress, Notes = valid.Notes, Enabled = valid.Enabled };
        db.Clients.Add(client);
        Audit(db, actor, "client.create", $"Client {valid.Name}", $"{valid.LanAddress}{(valid.Enabled ? "" : ", disabled")}");
        await SaveUniqueAsync(db, nameof(ClientDraft.LanAddress), $"{valid.LanAddress} is already used by another client.", ct);
        Changed?.Invoke();
        return client.Id;
    }

    public async Task UpdateClientAsync(int id, ClientDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw Gone("client");
        await EnsureClientAddressFreeAsync(db, valid.LanAddress, exceptId: id, ct);
        var changes = Describe(
            ("name", client.Name, valid.Name), ("address", client.LanAddress.ToString(), valid.LanAddress.ToString()),
            ("MAC", client.MacAddress, valid.MacAddress), ("enabled", client.Enabled.ToString(), valid.Enabled.ToString()),
            ("notes", client.Notes, valid.Notes));
        (client.Name, client.LanAddress, client.MacAddress, client.Notes, client.Enabled) = (valid.Name, valid.LanAddress, valid.MacAddress, valid.Notes, valid.Enabled);
        Audit(db, actor, "client.update", $"Client {valid.Name}", changes);
        await SaveUniqueAsync(db, nameof(ClientDraft.LanAddress), $"{valid.LanAddress} is already used by another client.", ct);
        Changed?.Invoke();
    }

    public async Task<DeletionImpact> GetClientDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw Gone("client");
        var assignments = await DescribeAssignmentsAsync(db.Assignments.Where(a => a.ClientId == id), ct);
        return new DeletionImpact($"client {client.Name} ({client.LanAddress})", assignments);
    }

    public async Task DeleteClientAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw Gone("client");
        var assignments = await DescribeAssignmentsAsync(db.Assignments.Where(a => a.ClientId == id), ct);
        EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.Clients.Remove(client);
        Audit(db, actor, "client.delete", $"Client {client.Name}", Removed(client.LanAddress.ToString(), assignments));
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- external addresses

    public async Task<Page<ExternalAddressRow>> GetExternalAddressesAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.ExternalAddresses.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = $"%{EscapeLike(request.Search.Trim())}%";
            query = query.Where(a => EF.Functions.Like(EF.Property<string>(a, AddressColumns.AddressText), term, "\\")
                || EF.Functions.Like(a.Interface, term, "\\") || (a.Notes != null && EF.Functions.Like(a.Notes, term, "\\")));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            ("interface", false) => query.OrderBy(a => a.Interface).ThenBy(a => a.Address),
            ("interface", true) => query.OrderByDescending(a => a.Interface).ThenBy(a => a.Address),
            ("assignments", false) => query.OrderBy(a => a.Assignments.Count).ThenBy(a => a.Address),
            ("assignments", true) => query.OrderByDescending(a => a.Assignments.Count).ThenBy(a => a.Address),
            (_, true) => query.OrderByDescending(a => a.Address),
            _ => query.OrderBy(a => a.Address),
        };
        var rows = await query.Skip(request.Skip).Take(request.PageSize)
            .Select(a => new { a.Id, a.Address, a.Interface, a.PrefixLength, a.BindOnWan, a.Notes, Count = a.Assignments.Count })
            .ToListAsync(ct);
        return new Page<ExternalAddressRow>(
            rows.Select(a => new ExternalAddressRow(a.Id, a.Address.ToString(), a.Interface, a.PrefixLength, a.BindOnWan, a.Notes, a.Count)).ToArray(),
            total);
    }

    public async Task<ExternalAddressDraft?> GetExternalAddressAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        return address is null ? null : ExternalAddressDraft.From(address);
    }

    public async Task<int> CreateExternalAddressAsync(ExternalAddressDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        await EnsureExternalAddressFreeAsync(db, valid, exceptId: null, ct);
        var address = new ExternalAddress { Address = valid.Address, Interface = valid.Interface, PrefixLength = valid.PrefixLength, BindOnWan = valid.BindOnWan, Notes = valid.Notes };
        db.ExternalAddresses.Add(address);
        Audit(db, actor, "external.create", $"External address {valid.Address}", $"{valid.Address}/{valid.PrefixLength} on {valid.Interface}{(valid.BindOnWan ? ", bound by RouterAdmin" : "")}");
        await SaveUniqueAsync(db, nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.", ct);
        Changed?.Invoke();
        return address.Id;
    }

    public async Task UpdateExternalAddressAsync(int id, ExternalAddressDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw Gone("external address");
        await EnsureExternalAddressFreeAsync(db, valid, exceptId: id, ct);
        var changes = Describe(
            ("address", address.Address.ToString(), valid.Address.ToString()), ("interface", address.Interface, valid.Interface),
            ("prefix", address.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture), valid.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("bind", address.BindOnWan.ToString(), valid.BindOnWan.ToString()), ("notes", address.Notes, valid.Notes));
        (address.Address, address.Interface, address.PrefixLength, address.BindOnWan, address.Notes) = (valid.Address, valid.Interface, valid.PrefixLength, valid.BindOnWan, valid.Notes);
        Audit(db, actor, "external.update", $"External address {valid.Address}", changes);
        await SaveUniqueAsync(db, nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.", ct);
        Changed?.Invoke();
    }

    public async Task<DeletionImpact> GetExternalAddressDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw Gone("external address");
        return new DeletionImpact($"external address {address.Address}", await DescribeAssignmentsAsync(db.Assignments.Where(a => a.ExternalAddressId == id), ct));
    }

    public async Task DeleteExternalAddressAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw Gone("external address");
        var assignments = await DescribeAssignmentsAsync(db.Assignments.Where(a => a.ExternalAddressId == id), ct);
        EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.ExternalAddresses.Remove(address);
        Audit(db, actor, "external.delete", $"External address {address.Address}", Removed($"{address.Address} on {address.Interface}", assignments));
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- endpoints

    public async Task<IReadOnlyList<EndpointRow>> GetEndpointsAsync(string? search = null, CancellationToken ct = default)
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

    public async Task<EndpointDetails?> GetEndpointAsync(int id, CancellationToken ct = default)
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

    public async Task<EndpointDraft?> GetEndpointDraftAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);
        return endpoint is null ? null : EndpointDraft.From(endpoint);
    }

    public async Task<int> CreateEndpointAsync(EndpointDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        await EnsureDestinationFreeAsync(db, valid.Destination, exceptId: null, ct);
        var endpoint = new VpnEndpoint { Name = valid.Name, Destination = valid.Destination, Notes = valid.Notes };
        db.Endpoints.Add(endpoint);
        Audit(db, actor, "endpoint.create", $"VPN endpoint {valid.Name}", Ipv4.Format(valid.Destination));
        await SaveUniqueAsync(db, nameof(EndpointDraft.Destination), $"{Ipv4.Format(valid.Destination)} is already an endpoint.", ct);
        Changed?.Invoke();
        return endpoint.Id;
    }

    public async Task UpdateEndpointAsync(int id, EndpointDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await LoadSettingsAsync(db, ct));
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw Gone("VPN endpoint");
        await EnsureDestinationFreeAsync(db, valid.Destination, exceptId: id, ct);
        var changes = Describe(("name", endpoint.Name, valid.Name), ("destination", Ipv4.Format(endpoint.Destination), Ipv4.Format(valid.Destination)), ("notes", endpoint.Notes, valid.Notes));
        (endpoint.Name, endpoint.Destination, endpoint.Notes) = (valid.Name, valid.Destination, valid.Notes);
        Audit(db, actor, "endpoint.update", $"VPN endpoint {valid.Name}", changes);
        await SaveUniqueAsync(db, nameof(EndpointDraft.Destination), $"{Ipv4.Format(valid.Destination)} is already an endpoint.", ct);
        Changed?.Invoke();
    }

    public async Task<DeletionImpact> GetEndpointDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw Gone("VPN endpoint");
        return new DeletionImpact($"VPN endpoint {endpoint.Name} ({Ipv4.Format(endpoint.Destination)})", await DescribeAssignmentsAsync(db.Assignments.Where(a => a.EndpointId == id), ct));
    }

    public async Task DeleteEndpointAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == id, ct) ?? throw Gone("VPN endpoint");
        var assignments = await DescribeAssignmentsAsync(db.Assignments.Where(a => a.EndpointId == id), ct);
        EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.Endpoints.Remove(endpoint);
        Audit(db, actor, "endpoint.delete", $"VPN endpoint {endpoint.Name}", Removed(Ipv4.Format(endpoint.Destination), assignments));
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- assignments

    public async Task<Page<AssignmentRow>> GetAssignmentsAsync(PageRequest request, int? endpointId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Assignments.AsNoTracking();
        if (endpointId is not null) query = query.Where(a => a.EndpointId == endpointId);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = $"%{EscapeLike(request.Search.Trim())}%";
            query = query.Where(a => EF.Functions.Like(a.Client.Name, term, "\\") || EF.Functions.Like(a.Endpoint.Name, term, "\\")
                || EF.Functions.Like(EF.Property<string>(a.Client, AddressColumns.LanAddressText), term, "\\")
                || EF.Functions.Like(EF.Property<string>(a.ExternalAddress, AddressColumns.AddressText), term, "\\"));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            ("endpoint", false) => query.OrderBy(a => a.Endpoint.Name).ThenBy(a => a.ExternalAddress.Address),
            ("endpoint", true) => query.OrderByDescending(a => a.Endpoint.Name).ThenBy(a => a.ExternalAddress.Address),
            ("external", false) => query.OrderBy(a => a.ExternalAddress.Address).ThenBy(a => a.Endpoint.Name),
            ("external", true) => query.OrderByDescending(a => a.ExternalAddress.Address).ThenBy(a => a.Endpoint.Name),
            ("address", false) => query.OrderBy(a => a.Client.LanAddress),
            ("address", true) => query.OrderByDescending(a => a.Client.LanAddress),
            ("assigned", false) => query.OrderBy(a => a.AssignedAt),
            ("assigned", true) => query.OrderByDescending(a => a.AssignedAt),
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

    public async Task<IReadOnlyList<Option>> GetEndpointOptionsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Endpoints.AsNoTracking().OrderBy(e => e.Name).Select(e => new { e.Id, e.Name, e.Destination }).ToListAsync(ct);
        return rows.Select(e => new Option(e.Id, $"{e.Name} ({Ipv4.Format(e.Destination)})")).ToArray();
    }

    /// <summary>Clients matching a search, for pickers: by name or address, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Option>> FindClientOptionsAsync(string? search, int limit = 20, CancellationToken ct = default)
    {
        var page = await GetClientsAsync(new PageRequest(0, limit, search), ct);
        return page.Items.Select(c => new Option(c.Id, $"{c.Name} ({c.LanAddress})")).ToArray();
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
            if (free is null) throw new NoFreeAddressException(endpoint.Name, await db.ExternalAddresses.CountAsync(ct));
            try
            {
                return await InsertAssignmentAsync(db, client, endpoint, free, actor, ct);
            }
            catch (AddressTakenException) when (attempt < MaxAssignAttempts)
            {
                // Someone else just took it; look again.
            }
            catch (AddressTakenException)
            {
                throw new InventoryConflictException($"Other administrators kept taking the free addresses for {endpoint.Name}; nothing was assigned. Try again.");
            }
        }
    }

    /// <summary>Assigns the address the administrator picked; refuses if it was taken in the meantime.</summary>
    public async Task<AssignmentRow> AssignAsync(int clientId, int endpointId, int externalAddressId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (client, endpoint) = await LoadPairAsync(db, clientId, endpointId, ct);
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == externalAddressId, ct) ?? throw Gone("external address");
        try
        {
            return await InsertAssignmentAsync(db, client, endpoint, address, actor, ct);
        }
        catch (AddressTakenException)
        {
            throw new InventoryConflictException($"{address.Address} was just taken for {endpoint.Name} by another client; pick another free address.");
        }
    }

    /// <summary>Moves an existing assignment to another external address (for the same endpoint).</summary>
    public async Task ReassignAsync(int assignmentId, int externalAddressId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await db.Assignments.Include(a => a.Client).Include(a => a.Endpoint).Include(a => a.ExternalAddress)
            .SingleOrDefaultAsync(a => a.Id == assignmentId, ct) ?? throw Gone("assignment");
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == externalAddressId, ct) ?? throw Gone("external address");
        if (address.Id == assignment.ExternalAddressId) return;
        var holder = await db.Assignments.Where(a => a.EndpointId == assignment.EndpointId && a.ExternalAddressId == address.Id)
            .Select(a => a.Client.Name).FirstOrDefaultAsync(ct);
        if (holder is not null)
            throw new InventoryConflictException($"{address.Address} already serves {holder} towards {assignment.Endpoint.Name}; pick a free address.");
        Audit(db, actor, "assignment.update", $"Client {assignment.Client.Name} → {assignment.Endpoint.Name}", $"{assignment.ExternalAddress.Address} → {address.Address}");
        assignment.ExternalAddressId = address.Id;
        assignment.AssignedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            throw new InventoryConflictException($"{address.Address} was just taken for {assignment.Endpoint.Name}; pick another free address.");
        }
        Changed?.Invoke();
    }

    public async Task UnassignAsync(int assignmentId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await db.Assignments.Include(a => a.Client).Include(a => a.Endpoint).Include(a => a.ExternalAddress)
            .SingleOrDefaultAsync(a => a.Id == assignmentId, ct) ?? throw Gone("assignment");
        db.Assignments.Remove(assignment);
        Audit(db, actor, "assignment.delete", $"Client {assignment.Client.Name} → {assignment.Endpoint.Name}", $"freed {assignment.ExternalAddress.Address}");
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- whole inventory

    public sealed record Counts(int Clients, int Assignments, int ExternalAddresses, int Endpoints);

    /// <summary>How much there is, counted in SQL: the dashboard needs four numbers, not 10,000 rows.</summary>
    public async Task<Counts> CountAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return new Counts(await db.Clients.CountAsync(ct), await db.Assignments.CountAsync(ct),
            await db.ExternalAddresses.CountAsync(ct), await db.Endpoints.CountAsync(ct));
    }

    public async Task<InventorySnapshot> CaptureAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CaptureAsync(db, ct);
    }

    internal static async Task<InventorySnapshot> CaptureAsync(AppDbContext db, CancellationToken ct)
    {
        var settings = await LoadSettingsAsync(db, ct);
        return new InventorySnapshot(
            new InventorySnapshot.SettingsRow(settings.WanInterface, settings.LanSubnet, settings.ManageMasquerade),
            (await db.Clients.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct))
                .Select(c => new InventorySnapshot.ClientRow(c.Id, c.Name, c.LanAddress, c.MacAddress, c.Notes, c.Enabled)).ToArray(),
            (await db.ExternalAddresses.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct))
                .Select(a => new InventorySnapshot.ExternalAddressRow(a.Id, a.Address, a.Interface, a.PrefixLength, a.BindOnWan, a.Notes)).ToArray(),
            (await db.Endpoints.AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct))
                .Select(e => new InventorySnapshot.EndpointRow(e.Id, e.Name, e.Destination, e.Notes)).ToArray(),
            (await db.Assignments.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct))
                .Select(a => new InventorySnapshot.AssignmentRow(a.Id, a.ClientId, a.EndpointId, a.ExternalAddressId, a.AssignedAt)).ToArray(),
            await db.RetiredRules.AsNoTracking().OrderBy(r => r.Id).Select(r => r.RuleLine).ToListAsync(ct));
    }

    /// <summary>
    /// Puts the whole inventory back as a revision recorded it (rollback), keeping ids so history stays readable.
    /// Runs in the caller's transaction when there is one.
    /// </summary>
    internal static async Task ReplaceAsync(AppDbContext db, InventorySnapshot snapshot, CancellationToken ct)
    {
        await db.Assignments.ExecuteDeleteAsync(ct);
        await db.RetiredRules.ExecuteDeleteAsync(ct);
        await db.Clients.ExecuteDeleteAsync(ct);
        await db.ExternalAddresses.ExecuteDeleteAsync(ct);
        await db.Endpoints.ExecuteDeleteAsync(ct);
        var settings = await db.Settings.SingleAsync(ct);
        settings.WanInterface = snapshot.Settings.WanInterface;
        settings.LanSubnet = snapshot.Settings.LanSubnet;
        settings.ManageMasquerade = snapshot.Settings.ManageMasquerade;
        db.Clients.AddRange(snapshot.Clients.Select(c => new Client { Id = c.Id, Name = c.Name, LanAddress = c.LanAddress, MacAddress = c.MacAddress, Notes = c.Notes, Enabled = c.Enabled }));
        db.ExternalAddresses.AddRange(snapshot.ExternalAddresses.Select(a => new ExternalAddress { Id = a.Id, Address = a.Address, Interface = a.Interface, PrefixLength = a.PrefixLength, BindOnWan = a.BindOnWan, Notes = a.Notes }));
        db.Endpoints.AddRange(snapshot.Endpoints.Select(e => new VpnEndpoint { Id = e.Id, Name = e.Name, Destination = e.Destination, Notes = e.Notes }));
        db.Assignments.AddRange(snapshot.Assignments.Select(a => new Assignment { Id = a.Id, ClientId = a.ClientId, EndpointId = a.EndpointId, ExternalAddressId = a.ExternalAddressId, AssignedAt = a.AssignedAt }));
        db.RetiredRules.AddRange(snapshot.RetiredRules.Select(line => new RetiredRule { RuleLine = line }));
        await db.SaveChangesAsync(ct);
    }

    // ---------------------------------------------------------------- helpers

    internal static async Task<RouterSettings> LoadSettingsAsync(AppDbContext db, CancellationToken ct) =>
        await db.Settings.AsNoTracking().SingleAsync(ct);

    private void Audit(AppDbContext db, Actor actor, string action, string subject, string? details) =>
        db.Record(clock, actor.Name, action, subject, details);

    private static IQueryable<ExternalAddress> FreeAddresses(AppDbContext db, int endpointId, int? forClientId) =>
        db.ExternalAddresses.AsNoTracking()
            .Where(a => !a.Assignments.Any(x => x.EndpointId == endpointId && x.ClientId != forClientId))
            .OrderBy(a => a.Address);

    private static async Task<(Client, VpnEndpoint)> LoadPairAsync(AppDbContext db, int clientId, int endpointId, CancellationToken ct)
    {
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == clientId, ct) ?? throw Gone("client");
        var endpoint = await db.Endpoints.SingleOrDefaultAsync(e => e.Id == endpointId, ct) ?? throw Gone("VPN endpoint");
        var existing = await db.Assignments.Where(a => a.ClientId == clientId && a.EndpointId == endpointId)
            .Select(a => a.ExternalAddress.Address).FirstOrDefaultAsync(ct);
        if (existing is not null)
            throw new InventoryConflictException($"{client.Name} already leaves from {existing} towards {endpoint.Name}; change that assignment instead.");
        return (client, endpoint);
    }

    private async Task<AssignmentRow> InsertAssignmentAsync(AppDbContext db, Client client, VpnEndpoint endpoint, ExternalAddress address, Actor actor, CancellationToken ct)
    {
        var assignment = new Assignment { ClientId = client.Id, EndpointId = endpoint.Id, ExternalAddressId = address.Id, AssignedAt = clock.GetUtcNow() };
        db.Assignments.Add(assignment);
        Audit(db, actor, "assignment.create", $"Client {client.Name} → {endpoint.Name}", $"{client.LanAddress} leaves from {address.Address}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            if (e.InnerException?.Message.Contains("ClientId", StringComparison.Ordinal) == true)
                throw new InventoryConflictException($"{client.Name} was just given an address for {endpoint.Name} by another administrator.");
            throw new AddressTakenException();
        }
        Changed?.Invoke();
        return new AssignmentRow(assignment.Id, client.Id, client.Name, client.LanAddress.ToString(), client.Enabled, endpoint.Id, endpoint.Name,
            Ipv4.Format(endpoint.Destination), address.Id, address.Address.ToString(), assignment.AssignedAt);
    }

    private sealed class AddressTakenException : Exception;

    private static async Task EnsureClientAddressFreeAsync(AppDbContext db, IPAddress address, int? exceptId, CancellationToken ct)
    {
        var other = await db.Clients.Where(c => c.LanAddress == address && c.Id != exceptId).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (other is not null)
            throw InventoryValidationException.For(nameof(ClientDraft.LanAddress), $"{address} is already used by client {other}.");
    }

    private static async Task EnsureExternalAddressFreeAsync(AppDbContext db, InventoryValidator.ValidExternalAddress valid, int? exceptId, CancellationToken ct)
    {
        if (await db.ExternalAddresses.AnyAsync(a => a.Address == valid.Address && a.Id != exceptId, ct))
            throw InventoryValidationException.For(nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.");
        if (valid.BindOnWan && valid.Interface.Length > Firewall.Model.BoundAddress.MaxInterfaceLengthForLabel)
            throw InventoryValidationException.For(nameof(ExternalAddressDraft.Interface),
                $"RouterAdmin labels the addresses it binds \"{valid.Interface}:ra\", which needs an interface name of at most {Firewall.Model.BoundAddress.MaxInterfaceLengthForLabel} characters; bind this one by hand instead.");
    }

    private static async Task EnsureDestinationFreeAsync(AppDbContext db, IPNetwork destination, int? exceptId, CancellationToken ct)
    {
        var others = await db.Endpoints.AsNoTracking().Where(e => e.Id != exceptId).Select(e => new { e.Name, e.Destination }).ToListAsync(ct);
        // Overlapping destinations would make one client's traffic match two SNAT rules, and rule order would decide.
        var clash = others.FirstOrDefault(o => o.Destination.Contains(destination.BaseAddress) || destination.Contains(o.Destination.BaseAddress));
        if (clash is not null)
            throw InventoryValidationException.For(nameof(EndpointDraft.Destination),
                clash.Destination == destination
                    ? $"{Ipv4.Format(destination)} is already the endpoint {clash.Name}."
                    : $"{Ipv4.Format(destination)} overlaps the endpoint {clash.Name} ({Ipv4.Format(clash.Destination)}).");
    }

    private static async Task<IReadOnlyList<string>> DescribeAssignmentsAsync(IQueryable<Assignment> assignments, CancellationToken ct)
    {
        var rows = await assignments.AsNoTracking()
            .OrderBy(a => a.Client.Name)
            .Select(a => new { Client = a.Client.Name, Endpoint = a.Endpoint.Name, a.ExternalAddress.Address })
            .ToListAsync(ct);
        return rows.Select(a => $"{a.Client} → {a.Endpoint} via {a.Address}").ToArray();
    }

    private static void EnsureAcknowledged(IReadOnlyList<string> assignments, int acknowledged)
    {
        if (assignments.Count != acknowledged)
            throw new InventoryConflictException(
                $"This now takes {assignments.Count} assignment(s) with it, not {acknowledged} as shown; nothing was deleted. Look again and confirm.");
    }

    private static string Removed(string what, IReadOnlyList<string> assignments) =>
        assignments.Count == 0 ? what : $"{what}; with it: {string.Join("; ", assignments)}";

    private static string Describe(params (string Field, string? Before, string? After)[] fields)
    {
        var changed = fields.Where(f => f.Before != f.After).Select(f => $"{f.Field}: {f.Before ?? "—"} → {f.After ?? "—"}").ToArray();
        return changed.Length == 0 ? "no change" : string.Join("; ", changed);
    }

    private static async Task SaveUniqueAsync(AppDbContext db, string field, string message, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            throw InventoryValidationException.For(field, message);
        }
    }

    private static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is SqliteException { SqliteErrorCode: 19 };

    private static InventoryConflictException Gone(string what) =>
        new($"That {what} no longer exists; another administrator may have deleted it. Reload the page.");

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
