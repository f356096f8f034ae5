using MimeKit;
using RouterAdmin.Refusals;

namespace RouterAdmin.Notifications;

/// <summary>The one place that decides whether a channel's settings can deliver: a URL, a secret, a server and addresses.</summary>
internal static class NotificationValidator
{
    /// <summary>Copies an acceptable draft onto the stored settings, or refuses it naming each field.</summary>
    public static void Apply(NotificationDraft draft, NotificationSettings settings)
    {
        var errors = new ValidationErrors();
        var url = Trimmed(draft.WebhookUrl);
        var secret = Trimmed(draft.NewWebhookSecret) ?? settings.WebhookSecret;
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || url.Length > NotificationLimits.Url))
            errors.Add(nameof(draft.WebhookUrl), "Give an absolute http:// or https:// address.");
        if (draft.WebhookEnabled && url is null)
            errors.Add(nameof(draft.WebhookUrl), "A webhook needs an address.");
        if (Trimmed(draft.NewWebhookSecret) is { } typed && (typed.Length < NotificationLimits.MinSecret || typed.Length > NotificationLimits.Secret || typed.Any(char.IsControl)))
            errors.Add(nameof(draft.NewWebhookSecret), $"The secret must be {NotificationLimits.MinSecret} to {NotificationLimits.Secret} characters on one line.");
        else if (draft.WebhookEnabled && secret is null)
            errors.Add(nameof(draft.NewWebhookSecret), "A webhook needs a shared secret, so the receiver can check the signature.");

        var host = Trimmed(draft.SmtpHost);
        if (host is not null && (host.Length > NotificationLimits.Host || Uri.CheckHostName(host) == UriHostNameType.Unknown))
            errors.Add(nameof(draft.SmtpHost), "Give a host name or an address.");
        if (draft.EmailEnabled && host is null)
            errors.Add(nameof(draft.SmtpHost), "E-mail needs an SMTP server.");
        if (draft.SmtpPort is < 1 or > 65535)
            errors.Add(nameof(draft.SmtpPort), "A port is between 1 and 65535.");
        var from = Trimmed(draft.EmailFrom);
        if (from is not null && !IsAddress(from))
            errors.Add(nameof(draft.EmailFrom), "Give one e-mail address, e.g. routeradmin@example.com.");
        if (draft.EmailEnabled && from is null)
            errors.Add(nameof(draft.EmailFrom), "E-mail needs a sender address.");
        var to = Trimmed(draft.EmailTo);
        if (to is not null && (to.Length > NotificationLimits.Recipients || !Recipients(to).All(IsAddress)))
            errors.Add(nameof(draft.EmailTo), "Give one or more e-mail addresses, separated by commas.");
        if (draft.EmailEnabled && to is null)
            errors.Add(nameof(draft.EmailTo), "E-mail needs at least one recipient.");
        if (Trimmed(draft.NewSmtpPassword) is { } password && (password.Length > NotificationLimits.Secret || password.Any(char.IsControl)))
            errors.Add(nameof(draft.NewSmtpPassword), $"The password must be at most {NotificationLimits.Secret} characters on one line.");
        if (!errors.IsEmpty) throw new InvalidInput(errors);

        settings.WebhookEnabled = draft.WebhookEnabled;
        settings.WebhookUrl = url;
        settings.WebhookSecret = secret;
        settings.EmailEnabled = draft.EmailEnabled;
        settings.SmtpHost = host;
        settings.SmtpPort = draft.SmtpPort;
        settings.SmtpSecurity = draft.SmtpSecurity;
        settings.SmtpUser = Trimmed(draft.SmtpUser);
        // No user, no password: a password kept from before would be sent nowhere, so it is not kept either.
        settings.SmtpPassword = settings.SmtpUser is null ? null : Trimmed(draft.NewSmtpPassword) ?? settings.SmtpPassword;
        settings.EmailFrom = from;
        settings.EmailTo = to;
    }

    public static IEnumerable<string> Recipients(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsAddress(string text) =>
        MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal) && !text.Any(char.IsControl);

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
