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
}
