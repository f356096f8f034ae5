namespace RouterAdmin.Notifications;

/// <summary>One way a notification leaves the console. A failure throws; the dispatcher retries.</summary>
public interface INotificationChannel
{
    /// <summary>How the page and the log name it.</summary>
    string Name { get; }

    bool IsEnabled(NotificationSettings settings);

    Task SendAsync(Notification notification, NotificationSettings settings, CancellationToken ct);
}
