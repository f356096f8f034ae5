namespace RouterAdmin.Security;

/// <summary>
/// One signed-in browser. The cookie carries the id; signing out, a password change, a role change and removing the
/// account delete the row, and from then on that cookie (and every copy of it) is refused.
/// </summary>
public sealed class UserSession
{
    public required string Id { get; set; }
    public int UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Refreshed at most once a minute while the session is used; a session idle past the timeout is over.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
}
