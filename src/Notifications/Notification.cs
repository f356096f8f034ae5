namespace RouterAdmin.Notifications;

/// <summary>What a notification is about; the webhook's <c>kind</c> field is this name in kebab case.</summary>
public enum NotificationKind
{
    DroppedVpnUser,
    PoolExhausted,
    Drift,
    DriftRepaired,
    DriftRepairStopped,
    ApplyFailed,
    ConfirmationExpiring,
    Test,
}

/// <summary>One event worth telling an administrator about, in words, with the facts a script can match on.</summary>
public sealed record Notification(NotificationKind Kind, string Title, string Text, DateTimeOffset At, IReadOnlyDictionary<string, string> Facts)
{
    public string KindName => KebabCase(Kind.ToString());

    private static string KebabCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
