using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Inventory;

/// <summary>The router's settings (WAN interface, LAN subnet, masquerade), checked against the inventory they frame.</summary>
public sealed class SettingsService(IDbContextFactory<AppDbContext> dbFactory, InventoryWriter writer)
{
    public async Task<SettingsView> GetAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await LoadAsync(db, ct);
        return new SettingsView(settings.WanInterface, settings.LanSubnet, settings.ManageMasquerade, settings.WatchVpnUsers);
    }

    public async Task UpdateAsync(SettingsDraft draft, Actor actor, CancellationToken ct = default)
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
        if (!errors.IsEmpty) throw new InvalidInput(errors);

        var before = Describe(settings.WanInterface, settings.LanSubnet, settings.ManageMasquerade, settings.WatchVpnUsers);
        settings.WanInterface = valid.WanInterface;
        settings.LanSubnet = valid.LanSubnet;
        settings.ManageMasquerade = valid.ManageMasquerade;
        settings.WatchVpnUsers = valid.WatchVpnUsers;
        writer.Audit(db, actor, AuditActions.SettingsUpdate, "Router settings",
            $"{before} → {Describe(valid.WanInterface, valid.LanSubnet, valid.ManageMasquerade, valid.WatchVpnUsers)}");
        await writer.SaveAsync(db, ct);
    }

    /// <summary>The settings, read in the caller's context: every other check of the inventory is framed by them.</summary>
    internal static async Task<RouterSettings> LoadAsync(AppDbContext db, CancellationToken ct) =>
        await db.Settings.AsNoTracking().SingleAsync(ct);

    private static string Describe(string wan, IPNetwork lan, bool masquerade, bool watch) =>
        $"WAN {wan}, LAN {lan}, masquerade {(masquerade ? "managed" : "not managed")}, VPN watch {(watch ? "on" : "off")}";
}
