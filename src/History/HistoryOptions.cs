namespace RouterAdmin.History;

/// <summary>Bound from <c>RouterAdmin:History</c>: how much history is kept, and how often the rest is deleted.</summary>
public sealed class HistoryOptions
{
    public const string Section = "RouterAdmin:History";

    /// <summary>Every revision started within this long is kept.</summary>
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The newest this many revisions are kept, however old.</summary>
    public int KeepLast { get; set; } = 200;

    /// <summary>How often the retention runs (also once at start); zero turns it off.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(6);

    public static IEnumerable<string> Problems(HistoryOptions options)
    {
        if (options.KeepFor < TimeSpan.Zero)
            yield return $"{Section}:KeepFor must be zero or longer (was {options.KeepFor}).";
        if (options.KeepLast < 1)
            yield return $"{Section}:KeepLast must be at least 1 (was {options.KeepLast}).";
        if (options.PruneInterval < TimeSpan.Zero || (options.PruneInterval > TimeSpan.Zero && options.PruneInterval < TimeSpan.FromMinutes(1)))
            yield return $"{Section}:PruneInterval must be zero (off) or at least 00:01:00 (was {options.PruneInterval}).";
    }
}
