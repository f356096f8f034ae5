namespace RouterAdmin.Security;

/// <summary>Bound from <c>RouterAdmin:Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "RouterAdmin:Security";

    /// <summary>Failed sign-ins in a row before the account is locked.</summary>
    public int MaxFailedSignIns { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session with no activity for this long is signed out.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public int MinPasswordLength { get; set; } = 12;

    public static IEnumerable<string> Problems(SecurityOptions options)
    {
        if (options.MaxFailedSignIns < 1)
            yield return $"{Section}:MaxFailedSignIns must be at least 1 (was {options.MaxFailedSignIns}).";
        if (options.LockoutDuration <= TimeSpan.Zero)
            yield return $"{Section}:LockoutDuration must be longer than zero (was {options.LockoutDuration}).";
        if (options.IdleTimeout <= TimeSpan.Zero)
            yield return $"{Section}:IdleTimeout must be longer than zero (was {options.IdleTimeout}).";
        if (options.MinPasswordLength is < 8 or > 128)
            yield return $"{Section}:MinPasswordLength must be between 8 and 128 (was {options.MinPasswordLength}).";
    }
}
