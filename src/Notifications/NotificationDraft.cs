namespace RouterAdmin.Notifications;

/// <summary>The Settings page's form for the channels; an empty secret keeps the stored one.</summary>
public sealed class NotificationDraft
{
    public bool WebhookEnabled { get; set; }
    public string? WebhookUrl { get; set; }
    public string? NewWebhookSecret { get; set; }

    public bool EmailEnabled { get; set; }
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    public SmtpSecurity SmtpSecurity { get; set; } = SmtpSecurity.StartTls;
    public string? SmtpUser { get; set; }
    public string? NewSmtpPassword { get; set; }
    public string? EmailFrom { get; set; }
    public string? EmailTo { get; set; }

    public static NotificationDraft From(NotificationSettingsView view) => new()
    {
        WebhookEnabled = view.WebhookEnabled, WebhookUrl = view.WebhookUrl,
        EmailEnabled = view.EmailEnabled, SmtpHost = view.SmtpHost, SmtpPort = view.SmtpPort, SmtpSecurity = view.SmtpSecurity,
        SmtpUser = view.SmtpUser, EmailFrom = view.EmailFrom, EmailTo = view.EmailTo,
    };
}
