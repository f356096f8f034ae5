using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.History;
using RouterAdmin.History.Storage;
using RouterAdmin.Security;

namespace RouterAdmin.Data.Configurations;

internal sealed class RevisionConfiguration : IEntityTypeConfiguration<Revision>
{
    public void Configure(EntityTypeBuilder<Revision> builder)
    {
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(24);
        builder.Property(r => r.Actor).HasMaxLength(Limits.NameLength);
        builder.Property(r => r.Reason).HasMaxLength(Limits.ReasonLength);
        builder.HasIndex(r => r.Status);
        builder.HasOne(r => r.Snapshot).WithOne().HasForeignKey<RevisionSnapshot>(s => s.RevisionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RevisionSnapshotConfiguration : IEntityTypeConfiguration<RevisionSnapshot>
{
    public void Configure(EntityTypeBuilder<RevisionSnapshot> builder)
    {
        builder.HasKey(s => s.RevisionId);
        // The texts are stored as manifests of shared chunks (SnapshotStorage); SnapshotInterceptor converts both ways.
        builder.Ignore(s => s.BeforeNatTable);
        builder.Ignore(s => s.BeforeStateJson);
        builder.Ignore(s => s.AfterStateJson);
        builder.Ignore(s => s.InventoryJson);
        builder.Ignore(s => s.RestoreScript);
        builder.Ignore(s => s.CommandsText);
        foreach (var column in SnapshotStorage.ManifestColumns)
            builder.Property<string>(column).IsRequired();
    }
}

internal sealed class SnapshotChunkConfiguration : IEntityTypeConfiguration<SnapshotChunk>
{
    public void Configure(EntityTypeBuilder<SnapshotChunk> builder)
    {
        builder.ToTable(SnapshotStorage.Table);
        builder.HasIndex(c => c.Hash).IsUnique();
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(Limits.NameLength);
        builder.Property(a => a.Action).HasMaxLength(Limits.AuditActionLength);
        builder.Property(a => a.Subject).HasMaxLength(Limits.AuditSubjectLength);
        builder.HasIndex(a => a.At);
    }
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> builder)
    {
        builder.Property(u => u.UserName).HasMaxLength(Limits.NameLength).UseCollation("NOCASE");
        builder.HasIndex(u => u.UserName).IsUnique();
        builder.Property(u => u.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(u => u.SecurityStamp).HasMaxLength(64);
    }
}

internal sealed class SimulatedKernelConfiguration : IEntityTypeConfiguration<SimulatedKernel>
{
    public void Configure(EntityTypeBuilder<SimulatedKernel> builder) =>
        builder.Property(k => k.Id).ValueGeneratedNever();
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.UserId);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(Limits.NameLength);
        builder.Property(t => t.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.SecretHash).HasMaxLength(64);
        builder.HasIndex(t => t.SecretHash).IsUnique();
        // Removing an account removes its tokens: a script of someone who left stops working at once.
        builder.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.UserId, t.Name }).IsUnique();
    }
}
