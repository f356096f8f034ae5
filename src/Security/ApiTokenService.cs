using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Refusals;

namespace RouterAdmin.Security;

public sealed record ApiTokenRow(int Id, string UserName, string Name, UserRole Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A token just made: the secret is in this value and nowhere else, so it is shown once.</summary>
public sealed record CreatedApiToken(ApiTokenRow Token, string Secret);

/// <summary>
/// API tokens (<see cref="ApiToken"/>): made by an administrator for an account, shown once, revocable at once.
/// A token never has more rights than its owner has now: a Viewer's token is a Viewer's, whatever it was made as.
/// </summary>
public sealed class ApiTokenService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const string TokenIdClaim = "routeradmin:token";
    public const string TokenNameClaim = "routeradmin:token-name";
    private const string SecretPrefix = "ra_";

    /// <summary>How stale <see cref="ApiToken.LastUsedAt"/> may get before a request refreshes it (a write per minute, not per call).</summary>
    private static readonly TimeSpan UseResolution = TimeSpan.FromMinutes(1);

    public async Task<CreatedApiToken> CreateAsync(string userName, string name, UserRole role, DateTimeOffset? expiresAt, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var label = name?.Trim() ?? "";
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        if (label.Length is 0 or > Limits.NameLength) errors.Add("Name", $"A token needs a name of 1 to {Limits.NameLength} characters.");
        // The API's JSON takes a role's number too; one that names no role would be neither a viewer's nor an admin's.
        if (!Enum.IsDefined(role)) errors.Add("Role", "A token's role is Admin or Viewer.");
        if (expiresAt is { } expiry && expiry <= now) errors.Add("ExpiresAt", "The expiry must be in the future.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName.Trim(), ct);
        if (owner is null) errors.Add("UserName", $"There is no account named {userName.Trim()}.");
        else if (role == UserRole.Admin && owner.Role != UserRole.Admin) errors.Add("Role", $"{owner.UserName} is a viewer; their tokens can only be Viewer tokens.");
        if (owner is not null && label.Length > 0 && await db.ApiTokens.AnyAsync(t => t.UserId == owner.Id && t.Name == label, ct))
            errors.Add("Name", $"{owner.UserName} already has a token named {label}.");
        if (!errors.IsEmpty) throw new InvalidInput(errors);

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken { UserId = owner!.Id, Name = label, Role = role, SecretHash = Hash(secret), CreatedAt = now, ExpiresAt = expiresAt };
        db.ApiTokens.Add(token);
        db.Record(clock, actor.Name, AuditActions.TokenCreate, Subject(owner.UserName, label),
            $"{role}{(expiresAt is { } e ? $", expires {e:u}" : ", no expiry")}");
        await db.SaveChangesAsync(ct);
        return new CreatedApiToken(Row(token, owner.UserName), secret);
    }

    public async Task<IReadOnlyList<ApiTokenRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ApiTokens.AsNoTracking()
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { Token = t, u.UserName })
            .ToListAsync(ct);
        return rows.Select(r => Row(r.Token, r.UserName)).OrderBy(r => r.UserName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Name).ToArray();
    }

    public async Task RevokeAsync(int tokenId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId, ct) ?? throw new Conflict("That token no longer exists.");
        if (token.RevokedAt is not null) return;
        var owner = await db.Users.Where(u => u.Id == token.UserId).Select(u => u.UserName).SingleAsync(ct);
        token.RevokedAt = clock.GetUtcNow();
        db.Record(clock, actor.Name, AuditActions.TokenRevoke, Subject(owner, token.Name));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The principal a bearer secret stands for, or null when it is unknown, revoked, expired or its owner is gone.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string secret, string authenticationType, CancellationToken ct = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 128) return null;
        var hash = Hash(secret);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.ApiTokens.AsNoTracking().Where(t => t.SecretHash == hash)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { Token = t, User = u })
            .SingleOrDefaultAsync(ct);
        if (found is null || found.Token.RevokedAt is not null || found.Token.ExpiresAt <= now) return null;
        if (found.Token.LastUsedAt is not { } used || now - used > UseResolution)
            await db.ApiTokens.Where(t => t.Id == found.Token.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), ct);
        var role = found.User.Role == UserRole.Admin ? found.Token.Role : UserRole.Viewer;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, found.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, found.User.UserName),
            new(ClaimTypes.Role, role.ToString()),
            new(TokenIdClaim, found.Token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(TokenNameClaim, found.Token.Name),
        };
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    /// <summary>How the audit log names a change made with a token: its owner and its name.</summary>
    public static string ActorName(string owner, string tokenName) => $"{owner} (token {tokenName})";

    private static string Subject(string owner, string name) => $"Token {name} of {owner}";

    private static ApiTokenRow Row(ApiToken t, string userName) => new(t.Id, userName, t.Name, t.Role, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
