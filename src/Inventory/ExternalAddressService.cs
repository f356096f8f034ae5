using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Data.Configurations;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>The public addresses clients can leave from, and whether RouterAdmin binds them on the WAN.</summary>
public sealed class ExternalAddressService(IDbContextFactory<AppDbContext> dbFactory, InventoryWriter writer)
{
    public async Task<Page<ExternalAddressRow>> GetPageAsync(PageRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.ExternalAddresses.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var term = SearchPattern.Containing(request.Search);
            query = query.Where(a => EF.Functions.Like(EF.Property<string>(a, AddressColumns.AddressText), term, SearchPattern.Escape)
                || EF.Functions.Like(a.Interface, term, SearchPattern.Escape) || (a.Notes != null && EF.Functions.Like(a.Notes, term, SearchPattern.Escape)));
        }
        var total = await query.CountAsync(ct);
        query = (request.SortBy, request.Descending) switch
        {
            (SortKeys.Interface, false) => query.OrderBy(a => a.Interface).ThenBy(a => a.Address),
            (SortKeys.Interface, true) => query.OrderByDescending(a => a.Interface).ThenBy(a => a.Address),
            (SortKeys.Assignments, false) => query.OrderBy(a => a.Assignments.Count).ThenBy(a => a.Address),
            (SortKeys.Assignments, true) => query.OrderByDescending(a => a.Assignments.Count).ThenBy(a => a.Address),
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

    /// <summary>The address as its edit form holds it, or null when it no longer exists.</summary>
    public async Task<ExternalAddressDraft?> GetDraftAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        return address is null ? null : ExternalAddressDraft.From(address);
    }

    public async Task<int> CreateAsync(ExternalAddressDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        await EnsureFreeAsync(db, valid, exceptId: null, ct);
        var address = new ExternalAddress { Address = valid.Address, Interface = valid.Interface, PrefixLength = valid.PrefixLength, BindOnWan = valid.BindOnWan, Notes = valid.Notes };
        db.ExternalAddresses.Add(address);
        writer.Audit(db, actor, AuditActions.ExternalCreate, $"External address {valid.Address}", $"{valid.Address}/{valid.PrefixLength} on {valid.Interface}{(valid.BindOnWan ? ", bound by RouterAdmin" : "")}");
        await writer.SaveUniqueAsync(db, nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.", ct);
        return address.Id;
    }

    public async Task UpdateAsync(int id, ExternalAddressDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var valid = InventoryValidator.Validate(draft, await SettingsService.LoadAsync(db, ct));
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw ChangeText.Gone("external address");
        await EnsureFreeAsync(db, valid, exceptId: id, ct);
        var changes = ChangeText.Describe(
            ("address", address.Address.ToString(), valid.Address.ToString()), ("interface", address.Interface, valid.Interface),
            ("prefix", address.PrefixLength.ToString(CultureInfo.InvariantCulture), valid.PrefixLength.ToString(CultureInfo.InvariantCulture)),
            ("bind", address.BindOnWan.ToString(), valid.BindOnWan.ToString()), ("notes", address.Notes, valid.Notes));
        (address.Address, address.Interface, address.PrefixLength, address.BindOnWan, address.Notes) = (valid.Address, valid.Interface, valid.PrefixLength, valid.BindOnWan, valid.Notes);
        writer.Audit(db, actor, AuditActions.ExternalUpdate, $"External address {valid.Address}", changes);
        await writer.SaveUniqueAsync(db, nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.", ct);
    }

    public async Task<DeletionImpact> GetDeletionImpactAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw ChangeText.Gone("external address");
        return new DeletionImpact($"external address {address.Address}", await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.ExternalAddressId == id), ct));
    }

    public async Task DeleteAsync(int id, int acknowledgedAssignments, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.ExternalAddresses.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw ChangeText.Gone("external address");
        var assignments = await ChangeText.DescribeAssignmentsAsync(db.Assignments.Where(a => a.ExternalAddressId == id), ct);
        ChangeText.EnsureAcknowledged(assignments, acknowledgedAssignments);
        db.ExternalAddresses.Remove(address);
        writer.Audit(db, actor, AuditActions.ExternalDelete, $"External address {address.Address}", ChangeText.Removed($"{address.Address} on {address.Interface}", assignments));
        await writer.SaveAsync(db, ct);
    }

    private static async Task EnsureFreeAsync(AppDbContext db, InventoryValidator.ValidExternalAddress valid, int? exceptId, CancellationToken ct)
    {
        if (await db.ExternalAddresses.AnyAsync(a => a.Address == valid.Address && a.Id != exceptId, ct))
            throw InvalidInput.For(nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list.");
        if (BindLabelProblem(valid) is { } problem)
            throw InvalidInput.For(nameof(ExternalAddressDraft.Interface), problem);
    }

    /// <summary>Why RouterAdmin cannot bind this address itself, or null; the bulk import asks too.</summary>
    internal static string? BindLabelProblem(InventoryValidator.ValidExternalAddress valid) =>
        valid.BindOnWan && valid.Interface.Length > BoundAddress.MaxInterfaceLengthForLabel
            ? $"RouterAdmin labels the addresses it binds \"{valid.Interface}:ra\", which needs an interface name of at most {BoundAddress.MaxInterfaceLengthForLabel} characters; bind this one by hand instead."
            : null;
}
