using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RouterAdmin.Notifications;

namespace RouterAdmin.Data.Configurations;

internal sealed class NotificationSettingsConfiguration : IEntityTypeConfiguration<NotificationSettings>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> builder)
    {
        builder.ToTable("NotificationSettings");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.WebhookUrl).HasMaxLength(NotificationLimits.Url);
        builder.Property(s => s.WebhookSecret).HasMaxLength(NotificationLimits.Secret);
        builder.Property(s => s.SmtpHost).HasMaxLength(NotificationLimits.Host);
        builder.Property(s => s.SmtpSecurity).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.SmtpUser).HasMaxLength(NotificationLimits.Address);
        builder.Property(s => s.SmtpPassword).HasMaxLength(NotificationLimits.Secret);
        builder.Property(s => s.EmailFrom).HasMaxLength(NotificationLimits.Address);
        builder.Property(s => s.EmailTo).HasMaxLength(NotificationLimits.Recipients);
    }
}
