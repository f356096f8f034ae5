using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory.Bulk;

/// <param name="SkipRefused">Import what can be imported and leave out the refused lines; without it one refused line refuses the file.</param>
/// <param name="ExpectedFingerprint">The plan the caller looked at (<see cref="ImportPlan.Fingerprint"/>); a different plan now is refused.</param>
public sealed record ImportConfirmation(bool SkipRefused = false, string? ExpectedFingerprint = null);

/// <summary>
/// Clients (and the endpoints and external addresses they need) from a CSV or JSON file: a preview that changes nothing,
/// and a confirmation that plans again and writes all of the plan in one transaction, or nothing. The same validation,
/// audit entries and change notification as the pages' edits: one notification for the whole file, so one refresh.
/// </summary>
public sealed class BulkImportService(IDbContextFactory<AppDbContext> dbFactory, InventoryStore store, InventoryChanges changes, TimeProvider clock)
{
    public static ParsedDocument Parse(string text, BulkFormat format) =>
        format == BulkFormat.Csv ? CsvInventoryFormat.Read(text) : JsonInventoryFormat.Read(text);

    public async Task<ImportPlan> PreviewAsync(string text, BulkFormat format, CancellationToken ct = default)
    {
        var file = Parse(text, format);
        return ImportPlanner.Plan(file, await store.CaptureAsync(ct));
    }

    public async Task<ImportPlan> ImportAsync(string text, BulkFormat format, ImportConfirmation confirmation, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var file = Parse(text, format);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Planned and written in one transaction: no edit from a page can slip between what was checked and what is written.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var inventory = await store.CaptureAsync(db, ct);
        var plan = ImportPlanner.Plan(file, inventory);
        if (confirmation.ExpectedFingerprint is { } expected && expected != plan.Fingerprint)
            throw new Conflict("The inventory (or the file) changed since the preview, so the import would not do what it showed; nothing was imported. Look at the new preview and confirm again.");
        if (plan.Refused.Count > 0 && !confirmation.SkipRefused)
            throw RefusedFile(plan);
        if (!plan.CreatesAnything) return plan;
        Write(db, plan, inventory, actor);
        NotifyOnCommit.Enlist(db, changes);
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (SqliteErrors.IsUniqueViolation(e))
        {
            throw new Conflict("Another administrator changed the inventory during the import; nothing was imported. Try again.");
        }
        return plan;
    }

    private static InvalidInput RefusedFile(ImportPlan plan)
    {
        var errors = new ValidationErrors();
        foreach (var line in plan.Refused) errors.Add(line.Where, $"{line.Field}: {line.Message}");
        return new InvalidInput(errors);
    }

    private void Write(AppDbContext db, ImportPlan plan, InventorySnapshot inventory, Actor actor)
    {
        var now = clock.GetUtcNow();
        var endpoints = inventory.Endpoints.ToDictionary(e => e.Destination, e => new VpnEndpoint { Id = e.Id, Name = e.Name, Destination = e.Destination });
        var addresses = inventory.ExternalAddresses.ToDictionary(a => a.Address, a => new ExternalAddress { Id = a.Id, Address = a.Address, Interface = a.Interface });
        // The inventory's own rows are only referred to: attached unchanged, so nothing but the new rows is written.
        db.AttachRange(endpoints.Values);
        db.AttachRange(addresses.Values);
        foreach (var (_, e) in plan.Endpoints)
        {
            db.Endpoints.Add(endpoints[e.Destination] = new VpnEndpoint { Name = e.Name, Destination = e.Destination, Notes = e.Notes });
            Audit(db, actor, AuditActions.EndpointCreate, $"VPN endpoint {e.Name}", Ipv4.Format(e.Destination));
        }
        foreach (var (_, a) in plan.ExternalAddresses)
        {
            db.ExternalAddresses.Add(addresses[a.Address] = new ExternalAddress { Address = a.Address, Interface = a.Interface, PrefixLength = a.PrefixLength, BindOnWan = a.BindOnWan, Notes = a.Notes });
            Audit(db, actor, AuditActions.ExternalCreate, $"External address {a.Address}", $"{a.Address}/{a.PrefixLength} on {a.Interface}{(a.BindOnWan ? ", bound by RouterAdmin" : "")}");
        }
        foreach (var (_, c, assignments) in plan.Clients)
        {
            var client = new Client { Name = c.Name, LanAddress = c.LanAddress, MacAddress = c.MacAddress, Notes = c.Notes, Enabled = c.Enabled };
            db.Clients.Add(client);
            Audit(db, actor, AuditActions.ClientCreate, $"Client {c.Name}", $"{c.LanAddress}{(c.Enabled ? "" : ", disabled")}");
            foreach (var a in assignments)
            {
                client.Assignments.Add(new Assignment { Endpoint = endpoints[a.Endpoint], ExternalAddress = addresses[a.ExternalAddress], AssignedAt = now });
                Audit(db, actor, AuditActions.AssignmentCreate, $"Client {c.Name} → {a.EndpointName}", $"{c.LanAddress} leaves from {a.ExternalAddress}");
            }
        }
        Audit(db, actor, AuditActions.ClientsImport, "Bulk import",
            $"{plan.Clients.Count} client(s), {plan.AssignmentCount} assignment(s), {plan.Endpoints.Count} endpoint(s), {plan.ExternalAddresses.Count} external address(es); {plan.Refused.Count} refused line(s) left out");
    }

    private void Audit(AppDbContext db, Actor actor, string action, string subject, string details) =>
        db.Record(clock, actor.Name, action, subject, details);
}
