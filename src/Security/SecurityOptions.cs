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

    /// <summary>Password checks one user name (existing or not) may ask for per minute; more are answered 429.</summary>
    public int SignInAttemptsPerUserPerMinute { get; set; } = 10;

    /// <summary>Sign-in and password-change posts one client address may send per minute; more are answered 429.</summary>
    public int SignInAttemptsPerAddressPerMinute { get; set; } = 20;

    /// <summary>
    /// Passwords hashed at the same time (each costs ~45 ms of one core); a few more wait, the rest are answered 429.
    /// Half the cores by default, so a flood of sign-ins leaves the rest of the console a core.
    /// </summary>
    public int ConcurrentPasswordChecks { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

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
        if (options.SignInAttemptsPerUserPerMinute < 1)
            yield return $"{Section}:SignInAttemptsPerUserPerMinute must be at least 1 (was {options.SignInAttemptsPerUserPerMinute}).";
        if (options.SignInAttemptsPerAddressPerMinute < 1)
            yield return $"{Section}:SignInAttemptsPerAddressPerMinute must be at least 1 (was {options.SignInAttemptsPerAddressPerMinute}).";
        if (options.ConcurrentPasswordChecks < 1)
            yield return $"{Section}:ConcurrentPasswordChecks must be at least 1 (was {options.ConcurrentPasswordChecks}).";
    }
}
