namespace RouterAdmin.Security;

public enum UserRole
{
    /// <summary>Sees inventory, diffs, history and the dashboard; changes nothing.</summary>
    Viewer,
    /// <summary>Edits the inventory, applies, rolls back and manages users.</summary>
    Admin,
}

public sealed class AppUser
{
    public int Id { get; set; }
    public required string UserName { get; set; }
    public required string PasswordHash { get; set; }
    public UserRole Role { get; set; }
    public int FailedLoginCount { get; set; }
    public DateTimeOffset? LockoutEndsAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Changes with the password, so cookies issued before a password change stop working.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
}
