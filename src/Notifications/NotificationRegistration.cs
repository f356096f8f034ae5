using RouterAdmin.Hosting;

namespace RouterAdmin.Notifications;

public static class NotificationRegistration
{
    /// <summary>The queue, the channels, the settings and the sources; the web console starts the two background parts.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotificationOptions>(NotificationOptions.Section, NotificationOptions.Problems);
        services.AddHttpClient(WebhookChannel.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<Notifier>();
        services.AddSingleton<NotificationSettingsService>();
        services.AddSingleton<INotificationChannel, WebhookChannel>();
        services.AddSingleton<INotificationChannel, EmailChannel>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<NotificationSources>();
        return services;
    }

    /// <summary>Delivery and the sources run only in the console, not in a verb that ends in a second.</summary>
    public static IServiceCollection AddNotificationBackground(this IServiceCollection services)
    {
        services.AddHostedService(provider => provider.GetRequiredService<NotificationDispatcher>());
        services.AddHostedService(provider => provider.GetRequiredService<NotificationSources>());
        return services;
    }
}
