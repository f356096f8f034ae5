using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RouterAdmin.Domain;
using RouterAdmin.Inventory;

namespace RouterAdmin.Data.Configurations;

internal static class AddressColumns
{
    /// <summary>Dotted-quad text computed by SQLite from the integer column, so the tables can search "192.168.1." cheaply.</summary>
    public static string DottedQuad(string column) =>
        $"((\"{column}\" >> 24) & 255) || '.' || ((\"{column}\" >> 16) & 255) || '.' || ((\"{column}\" >> 8) & 255) || '.' || (\"{column}\" & 255)";

    public const string LanAddressText = "LanAddressText";
    public const string AddressText = "AddressText";
}

internal sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(Limits.NameLength).UseCollation("NOCASE");
        builder.Property(c => c.Notes).HasMaxLength(Limits.NotesLength);
        builder.Property(c => c.MacAddress).HasMaxLength(17);
        builder.HasIndex(c => c.LanAddress).IsUnique();
        builder.HasIndex(c => c.Name);
        builder.Property<string>(AddressColumns.LanAddressText)
            .HasComputedColumnSql(AddressColumns.DottedQuad(nameof(Client.LanAddress)), stored: true);
        builder.HasMany(c => c.Assignments).WithOne(a => a.Client).HasForeignKey(a => a.ClientId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ExternalAddressConfiguration : IEntityTypeConfiguration<ExternalAddress>
{
    public void Configure(EntityTypeBuilder<ExternalAddress> builder)
    {
        builder.Property(a => a.Interface).HasMaxLength(Limits.InterfaceNameLength);
        builder.Property(a => a.Notes).HasMaxLength(Limits.NotesLength);
        builder.HasIndex(a => a.Address).IsUnique();
        builder.Property<string>(AddressColumns.AddressText)
            .HasComputedColumnSql(AddressColumns.DottedQuad(nameof(ExternalAddress.Address)), stored: true);
        builder.HasMany(a => a.Assignments).WithOne(a => a.ExternalAddress).HasForeignKey(a => a.ExternalAddressId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VpnEndpointConfiguration : IEntityTypeConfiguration<VpnEndpoint>
{
    public void Configure(EntityTypeBuilder<VpnEndpoint> builder)
    {
        builder.Property(e => e.Name).HasMaxLength(Limits.NameLength).UseCollation("NOCASE");
        builder.Property(e => e.Destination).HasMaxLength(18);
        builder.Property(e => e.Notes).HasMaxLength(Limits.NotesLength);
        builder.HasIndex(e => e.Destination).IsUnique();
        builder.HasMany(e => e.Assignments).WithOne(a => a.Endpoint).HasForeignKey(a => a.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssignmentConfiguration : IEntityTypeConfiguration<Assignment>
{
    public void Configure(EntityTypeBuilder<Assignment> builder)
    {
        // The scarce resource: one client per (endpoint, external address), one external address per (endpoint, client).
        // The database enforces both, so two administrators racing for the last address cannot both win.
        builder.HasIndex(a => new { a.EndpointId, a.ExternalAddressId }).IsUnique();
        builder.HasIndex(a => new { a.EndpointId, a.ClientId }).IsUnique();
        builder.HasIndex(a => a.ClientId);
        builder.HasIndex(a => a.ExternalAddressId);
    }
}

internal sealed class RouterSettingsConfiguration : IEntityTypeConfiguration<RouterSettings>
{
    public void Configure(EntityTypeBuilder<RouterSettings> builder)
    {
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.WanInterface).HasMaxLength(15);
        builder.Property(s => s.LanSubnet).HasMaxLength(18);
        builder.HasData(new RouterSettings
        {
            Id = RouterSettings.SingletonId,
            WanInterface = "eth1",
            LanSubnet = IPNetwork.Parse("192.168.1.0/24"),
            ManageMasquerade = false,
        });
    }
}

internal sealed class RetiredRuleConfiguration : IEntityTypeConfiguration<RetiredRule>
{
    public void Configure(EntityTypeBuilder<RetiredRule> builder)
    {
        builder.Property(r => r.RuleLine).HasMaxLength(1000);
        builder.HasIndex(r => r.RuleLine).IsUnique();
    }
}
