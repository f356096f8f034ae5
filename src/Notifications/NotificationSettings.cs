namespace RouterAdmin.Notifications;

/// <summary>How SMTP is secured; the names are MailKit's <c>SecureSocketOptions</c>.</summary>
public enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    StartTlsWhenAvailable,
    None,
}

/// <summary>
/// Where notifications go: one row, written from the Settings page by an administrator. The secrets are kept here so
/// the console can sign and sign in; they are never shown back (see <see cref="NotificationSettingsView"/>).
/// </summary>
public sealed class NotificationSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public bool WebhookEnabled { get; set; }
    public string? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }

    public bool EmailEnabled { get; set; }
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    public SmtpSecurity SmtpSecurity { get; set; } = SmtpSecurity.StartTls;
    public string? SmtpUser { get; set; }
    public string? SmtpPassword { get; set; }
    public string? EmailFrom { get; set; }

    /// <summary>One or more addresses, separated by commas.</summary>
    public string? EmailTo { get; set; }
}

public static class NotificationLimits
{
    public const int Url = 2000;
    public const int Secret = 256;
    public const int Host = 253;
    public const int Address = 320;
    public const int Recipients = 2000;

    /// <summary>A webhook secret shorter than this is guessable; 32 random bytes in hex is what the page suggests.</summary>
    public const int MinSecret = 16;
}
