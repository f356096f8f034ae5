using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;

namespace RouterAdmin.Inventory;

public sealed record InventoryCounts(int Clients, int Assignments, int ExternalAddresses, int Endpoints);

/// <summary>
/// The whole inventory at once: what the planner reads (capture) and what a rollback, an import or an adoption puts back
/// (replace). Both also run inside the caller's context and transaction, so the apply engine can plan, record and
/// replace atomically. A replace always raises <see cref="InventoryChanges"/>: after the caller's commit when it runs in
/// the caller's transaction (see <see cref="NotifyOnCommit"/>), else after its own.
/// </summary>
public sealed class InventoryStore
{
    private readonly IDbContextFactory<AppDbContext> dbFactory;
    private readonly InventoryChanges changes;

    // Bumped by every change notification, which every writer raises after its commit: a capture taken at one
    // version shows every write announced before it, so while the version stands it is still the inventory.
    private int _version;
    private (int Version, InventorySnapshot Snapshot)? _lastCapture;

    public InventoryStore(IDbContextFactory<AppDbContext> dbFactory, InventoryChanges changes)
    {
        this.dbFactory = dbFactory;
        this.changes = changes;
        // The store lives as long as the notification (both singletons): the subscription is never ended.
        _ = changes.NotifyOnChange(() => Interlocked.Increment(ref _version));
    }

    /// <summary>How much there is, counted in SQL: the dashboard needs four numbers, not 10,000 rows.</summary>
    public async Task<InventoryCounts> CountAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return new InventoryCounts(await db.Clients.CountAsync(ct), await db.Assignments.CountAsync(ct),
            await db.ExternalAddresses.CountAsync(ct), await db.Endpoints.CountAsync(ct));
    }

    /// <summary>
    /// The inventory now. The preview and the apply after it both plan the inventory: unless a write was announced in
    /// between, the second gets the first's capture (10,000 clients are ~20 ms of SQLite) instead of reading it again.
    /// A write that commits during a capture is announced after it, so that capture is never reused.
    /// </summary>
    public async Task<InventorySnapshot> CaptureAsync(CancellationToken ct = default)
    {
        var version = Volatile.Read(ref _version);
        if (_lastCapture is { } last && last.Version == version) return last.Snapshot;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One read transaction for the six queries: they all see one state of the file, so a client created and assigned
        // between the clients query and the assignments query cannot give an assignment whose client is not there.
        // Deferred, so it takes no write lock: in WAL mode its snapshot begins at the first read and blocks no writer.
        await db.Database.OpenConnectionAsync(ct);
        await using var read = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(read, ct);
        var snapshot = await CaptureAsync(db, ct);
        _lastCapture = (version, snapshot);
        return snapshot;
    }

    /// <summary>The inventory as the caller's context sees it (inside its transaction, when it has one).</summary>
    public async Task<InventorySnapshot> CaptureAsync(AppDbContext db, CancellationToken ct)
    {
        var settings = await SettingsService.LoadAsync(db, ct);
        // Projected straight into the snapshot's rows: no entity is materialized, so no materialization interceptor
        // (the history's snapshot storage registers one) runs 20,000 times for a 10,000-client inventory.
        return new InventorySnapshot(
            new InventorySnapshot.SettingsRow(settings.WanInterface, settings.LanSubnet, settings.ManageMasquerade, settings.WatchVpnUsers),
            await db.Clients.AsNoTracking().OrderBy(c => c.Id)
                .Select(c => new InventorySnapshot.ClientRow(c.Id, c.Name, c.LanAddress, c.MacAddress, c.Notes, c.Enabled)).ToArrayAsync(ct),
            await db.ExternalAddresses.AsNoTracking().OrderBy(a => a.Id)
                .Select(a => new InventorySnapshot.ExternalAddressRow(a.Id, a.Address, a.Interface, a.PrefixLength, a.BindOnWan, a.Notes)).ToArrayAsync(ct),
            await db.Endpoints.AsNoTracking().OrderBy(e => e.Id)
                .Select(e => new InventorySnapshot.EndpointRow(e.Id, e.Name, e.Destination, e.Notes)).ToArrayAsync(ct),
            await db.Assignments.AsNoTracking().OrderBy(a => a.Id)
                .Select(a => new InventorySnapshot.AssignmentRow(a.Id, a.ClientId, a.EndpointId, a.ExternalAddressId, a.AssignedAt)).ToArrayAsync(ct),
            await db.RetiredRules.AsNoTracking().OrderBy(r => r.Id).Select(r => r.RuleLine).ToListAsync(ct));
    }

    /// <summary>
    /// Puts the whole inventory back as a snapshot holds it (rollback, import, adopt), keeping ids so history stays
    /// readable. In the caller's transaction when there is one (the change is announced when that commits, and not at
    /// all if it rolls back); otherwise in a transaction of its own.
    /// </summary>
    public async Task ReplaceAsync(AppDbContext db, InventorySnapshot snapshot, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            NotifyOnCommit.Enlist(db, changes);
            await WriteAsync(db, snapshot, ct);
            return;
        }
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await WriteAsync(db, snapshot, ct);
            await transaction.CommitAsync(ct);
        }
        await changes.NotifyAsync();
    }

    private static async Task WriteAsync(AppDbContext db, InventorySnapshot snapshot, CancellationToken ct)
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
        settings.WatchVpnUsers = snapshot.Settings.WatchVpnUsers;
        db.Clients.AddRange(snapshot.Clients.Select(c => new Client { Id = c.Id, Name = c.Name, LanAddress = c.LanAddress, MacAddress = c.MacAddress, Notes = c.Notes, Enabled = c.Enabled }));
        db.ExternalAddresses.AddRange(snapshot.ExternalAddresses.Select(a => new ExternalAddress { Id = a.Id, Address = a.Address, Interface = a.Interface, PrefixLength = a.PrefixLength, BindOnWan = a.BindOnWan, Notes = a.Notes }));
        db.Endpoints.AddRange(snapshot.Endpoints.Select(e => new VpnEndpoint { Id = e.Id, Name = e.Name, Destination = e.Destination, Notes = e.Notes }));
        db.Assignments.AddRange(snapshot.Assignments.Select(a => new Assignment { Id = a.Id, ClientId = a.ClientId, EndpointId = a.EndpointId, ExternalAddressId = a.ExternalAddressId, AssignedAt = a.AssignedAt }));
        db.RetiredRules.AddRange(snapshot.RetiredRules.Select(line => new RetiredRule { RuleLine = line }));
        await db.SaveChangesAsync(ct);
    }
}
