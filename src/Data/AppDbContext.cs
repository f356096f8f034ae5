using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.History;
using RouterAdmin.History.Storage;
using RouterAdmin.Security;

namespace RouterAdmin.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ExternalAddress> ExternalAddresses => Set<ExternalAddress>();
    public DbSet<VpnEndpoint> Endpoints => Set<VpnEndpoint>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<RouterSettings> Settings => Set<RouterSettings>();
    public DbSet<Revision> Revisions => Set<Revision>();
    public DbSet<RevisionSnapshot> RevisionSnapshots => Set<RevisionSnapshot>();
    public DbSet<SnapshotChunk> SnapshotChunks => Set<SnapshotChunk>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<AppUser> Users => Set<AppUser>();
    public DbSet<SimulatedKernel> SimulatedKernel => Set<SimulatedKernel>();
    public DbSet<RetiredRule> RetiredRules => Set<RetiredRule>();
    public DbSet<UserSession> Sessions => Set<UserSession>();
    public DbSet<Notifications.NotificationSettings> NotificationSettings => Set<Notifications.NotificationSettings>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    // Here rather than in the composition root: a revision's snapshot is readable and writable from any context,
    // including the tests' and the design-time one, and the migration that converts old snapshots needs the functions.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.AddInterceptors(SnapshotInterceptor.Instance, SqliteFunctions.Instance, StorageFaultInterceptor.Instance);

    // SaveChanges wraps what a statement threw in a DbUpdateException, and the snapshot chunks are written with commands
    // of their own: either way a full or read-only disk is a refusal of its own.
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        try { return base.SaveChanges(acceptAllChangesOnSuccess); }
        catch (Exception e) when (StorageFault(e) is { } refusal) { throw refusal; }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try { return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken); }
        catch (Exception e) when (StorageFault(e) is { } refusal) { throw refusal; }
    }

    private Refusals.StorageUnavailable? StorageFault(Exception e) => Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqlite ? SqliteErrors.StorageFault(e, sqlite) : null;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // IPv4 addresses are stored as integers so "lowest free address" and sorting are numeric, not textual.
        configurationBuilder.Properties<IPAddress>().HaveConversion<IPv4ToInt64Converter>();
        configurationBuilder.Properties<IPNetwork>().HaveConversion<IPNetworkToStringConverter>();
        // SQLite has no date type; ticks sort correctly and EF can order by them.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    private sealed class IPv4ToInt64Converter() : ValueConverter<IPAddress, long>(
        address => Ipv4.ToUInt32(address),
        value => Ipv4.FromUInt32((uint)value));

    private sealed class IPNetworkToStringConverter() : ValueConverter<IPNetwork, string>(
        network => network.ToString(),
        text => IPNetwork.Parse(text));
}
