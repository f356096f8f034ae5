using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.History;
using RouterAdmin.Security;

namespace RouterAdmin.Notifications;

/// <summary>The channels as the Settings page shows them: the secrets only as "set" or not.</summary>
public sealed record NotificationSettingsView(
    bool WebhookEnabled, string? WebhookUrl, bool WebhookSecretSet,
    bool EmailEnabled, string? SmtpHost, int SmtpPort, SmtpSecurity SmtpSecurity, string? SmtpUser, bool SmtpPasswordSet,
    string? EmailFrom, string? EmailTo);

/// <summary>
/// Reads and writes where notifications go. Changes are an administrator's, audited; an empty secret in a draft keeps
/// the stored one, so the page never needs to hold it.
/// </summary>
public sealed class NotificationSettingsService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const string AuditAction = "notifications.update";

    public async Task<NotificationSettingsView> GetAsync(CancellationToken ct = default)
    {
        var s = await LoadAsync(ct);
        return new NotificationSettingsView(s.WebhookEnabled, s.WebhookUrl, !string.IsNullOrEmpty(s.WebhookSecret),
            s.EmailEnabled, s.SmtpHost, s.SmtpPort, s.SmtpSecurity, s.SmtpUser, !string.IsNullOrEmpty(s.SmtpPassword), s.EmailFrom, s.EmailTo);
    }

    /// <summary>The stored settings with their secrets, for the channels that deliver; never for a page.</summary>
    internal async Task<NotificationSettings> LoadAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.NotificationSettings.AsNoTracking().SingleOrDefaultAsync(ct) ?? new NotificationSettings();
    }

    public async Task UpdateAsync(NotificationDraft draft, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.NotificationSettings.SingleOrDefaultAsync(ct);
        if (settings is null) db.NotificationSettings.Add(settings = new NotificationSettings());
        NotificationValidator.Apply(draft, settings);
        db.Record(clock, actor.Name, AuditAction, "Notifications", Describe(settings));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>What the audit log says: where notifications go, never a secret.</summary>
    private static string Describe(NotificationSettings s) =>
        $"webhook {(s.WebhookEnabled ? $"on to {s.WebhookUrl}" : "off")}, e-mail {(s.EmailEnabled ? $"on via {s.SmtpHost}:{s.SmtpPort} to {s.EmailTo}" : "off")}";
}
