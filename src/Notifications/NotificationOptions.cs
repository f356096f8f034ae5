namespace RouterAdmin.Notifications;

/// <summary>Bound from <c>RouterAdmin:Notifications</c>: how hard delivery tries, and how early a confirmation is warned of.</summary>
public sealed class NotificationOptions
{
    public const string Section = "RouterAdmin:Notifications";

    /// <summary>Tries per channel and notification, the first included.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the second try; each later wait doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one webhook call or mail delivery may take before it counts as failed.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long before a confirmation deadline the "about to expire" notification goes out (half the window when that is shorter).</summary>
    public TimeSpan ConfirmationWarning { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The wait before try <paramref name="attempt"/> (2 or more): doubling from the first delay, capped.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var doubled = FirstRetryDelay.Ticks * Math.Pow(2, Math.Max(0, attempt - 2));
        return doubled >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)doubled);
    }

    public static IEnumerable<string> Problems(NotificationOptions options)
    {
        if (options.MaxAttempts < 1)
            yield return $"{Section}:MaxAttempts must be at least 1 (was {options.MaxAttempts}).";
        if (options.FirstRetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.FirstRetryDelay)
            yield return $"{Section}:FirstRetryDelay must be zero or longer and at most MaxRetryDelay.";
        if (options.DeliveryTimeout <= TimeSpan.Zero)
            yield return $"{Section}:DeliveryTimeout must be longer than zero (was {options.DeliveryTimeout}).";
        if (options.ConfirmationWarning < TimeSpan.Zero)
            yield return $"{Section}:ConfirmationWarning must be zero or longer (was {options.ConfirmationWarning}).";
    }
}
