namespace RouterAdmin.Security;

/// <summary>
/// A named key a script sends as <c>Authorization: Bearer …</c>. Only the SHA-256 of the secret is stored: the secret
/// is 256 random bits, so a plain hash cannot be guessed back and one indexed lookup finds the row.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public required string Name { get; set; }
    public UserRole Role { get; set; }
    public required string SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
