using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace RouterAdmin.Notifications;

/// <summary>A plain-text mail through the administrator's SMTP server (MailKit), signed in when a user is set.</summary>
public sealed class EmailChannel : INotificationChannel
{
    public string Name => "e-mail";

    public bool IsEnabled(NotificationSettings settings) => settings.EmailEnabled;

    public async Task SendAsync(Notification notification, NotificationSettings settings, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.EmailFrom ?? throw new InvalidOperationException("No sender address is set.")));
        foreach (var to in NotificationValidator.Recipients(settings.EmailTo ?? "")) message.To.Add(MailboxAddress.Parse(to));
        message.Subject = $"[RouterAdmin] {notification.Title}";
        var facts = string.Join("\n", notification.Facts.Select(f => $"{f.Key}: {f.Value}"));
        message.Body = new TextPart("plain")
        {
            Text = $"{notification.Text}\n\nWhen: {notification.At:yyyy-MM-dd HH:mm:ss} UTC\nKind: {notification.KindName}\n{facts}".TrimEnd(),
        };

        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(settings.SmtpHost ?? throw new InvalidOperationException("No SMTP server is set."), settings.SmtpPort, Secure(settings.SmtpSecurity), ct);
        if (settings.SmtpUser is { } user) await smtp.AuthenticateAsync(user, settings.SmtpPassword ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(quit: true, ct);
    }

    private static SecureSocketOptions Secure(SmtpSecurity security) => security switch
    {
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };
}
