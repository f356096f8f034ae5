using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;

namespace RouterAdmin.Security;

public sealed record UserRow(int Id, string UserName, UserRole Role, bool LockedOut, DateTimeOffset CreatedAt);

public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
    /// <summary>Too many checks for this name just now, or too many at once: not checked at all (429).</summary>
    Throttled,
}

/// <summary>
/// Accounts, passwords (ASP.NET Core's PBKDF2 <see cref="PasswordHasher{TUser}"/>), lockout and roles.
/// There is no default password: the first administrator is created on first run or with the create-admin verb.
/// </summary>
public sealed partial class UserService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, IOptions<SecurityOptions> options,
    IPasswordHasher<AppUser> hasher, PasswordVerifier verifier, PasswordCheckGate gate, SessionStore sessions)
{
    public const string SecurityStampClaim = "routeradmin:stamp";

    private readonly IPasswordHasher<AppUser> _hasher = hasher;
    private volatile bool _hasUsers;

    private SecurityOptions Options => options.Value;

    public async Task<bool> AnyUsersAsync(CancellationToken ct = default)
    {
        if (_hasUsers) return true;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return _hasUsers = await db.Users.AnyAsync(ct);
    }

    /// <summary>Creates the first administrator; refused once any account exists, so the setup page cannot be replayed.</summary>
    public async Task<AppUser> CreateFirstAdminAsync(string userName, string password, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await db.Users.AnyAsync(ct))
            throw new Conflict("An administrator already exists; sign in instead.");
        var user = await AddAsync(db, userName, password, UserRole.Admin, "setup", ct);
        await transaction.CommitAsync(ct);
        _hasUsers = true;
        return user;
    }

    public async Task<AppUser> CreateUserAsync(string userName, string password, UserRole role, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await AddAsync(db, userName, password, role, actor.Name, ct);
        _hasUsers = true;
        return user;
    }

    public Task<(SignInOutcome Outcome, AppUser? User)> CheckPasswordAsync(string userName, string password, CancellationToken ct = default) =>
        CheckPasswordAsync(userName, password, clientAddress: null, ct);

    /// <summary>A sign-in: refused unchecked when throttled (<see cref="PasswordCheckGate"/>), else checked by <see cref="PasswordVerifier"/>.</summary>
    public async Task<(SignInOutcome Outcome, AppUser? User)> CheckPasswordAsync(string userName, string password, string? clientAddress,
        CancellationToken ct = default)
    {
        var name = userName.Trim();
        using var slot = await gate.EnterAsync(name, ct);
        if (slot is null) return (SignInOutcome.Throttled, null);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == name, ct);
        var attempt = new PasswordAttempt(userName, password, "anonymous", AuditActions.Failed(AuditActions.UserSignIn), clientAddress);
        var verdict = await verifier.VerifyAsync(db, user, attempt, ct);
        if (verdict != PasswordVerdict.Correct) return (verdict == PasswordVerdict.LockedOut ? SignInOutcome.LockedOut : SignInOutcome.Failed, null);
        db.Record(clock, user!.UserName, AuditActions.UserSignIn, $"User {user.UserName}", clientAddress is null ? null : $"from {clientAddress}");
        await db.SaveChangesAsync(ct);
        return (SignInOutcome.Succeeded, user);
    }

    /// <summary>
    /// Changes one's own password. The current one is checked like a sign-in (throttled, counted, locking the account);
    /// every session of the account ends, so the caller starts a new one for the browser it serves.
    /// </summary>
    public Task<AppUser> ChangePasswordAsync(int userId, string currentPassword, string newPassword, CancellationToken ct = default) =>
        ChangePasswordAsync(userId, currentPassword, newPassword, clientAddress: null, ct);

    public async Task<AppUser> ChangePasswordAsync(int userId, string currentPassword, string newPassword, string? clientAddress,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new Conflict("That account no longer exists.");
        using (var slot = await gate.EnterAsync(user.UserName, ct))
        {
            if (slot is null) throw new TooManyAttempts("Too many password checks for this account just now; wait a minute and try again.");
            var attempt = new PasswordAttempt(user.UserName, currentPassword, user.UserName, AuditActions.Failed(AuditActions.UserPassword), clientAddress);
            switch (await verifier.VerifyAsync(db, user, attempt, ct))
            {
                case PasswordVerdict.LockedOut:
                    throw InvalidInput.For("CurrentPassword", "The account is locked for a while after repeated wrong passwords.");
                case PasswordVerdict.Wrong:
                    throw InvalidInput.For("CurrentPassword", "The current password is not correct.");
            }
        }
        CheckPassword(newPassword, "NewPassword");
        db.Attach(user);
        user.PasswordHash = _hasher.HashPassword(user, newPassword);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        db.Record(clock, user.UserName, AuditActions.UserPassword, $"User {user.UserName}", "changed own password");
        await db.SaveChangesAsync(ct);
        await sessions.EndAllAsync(db, user.Id, ct);
        return user;
    }

    public async Task ResetPasswordAsync(int userId, string newPassword, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        CheckPassword(newPassword, "Password");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new Conflict("That account no longer exists.");
        user.PasswordHash = _hasher.HashPassword(user, newPassword);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.LockoutEndsAt = null;
        user.FailedLoginCount = 0;
        db.Record(clock, actor.Name, AuditActions.UserPassword, $"User {user.UserName}", "password reset by an administrator");
        await db.SaveChangesAsync(ct);
        await sessions.EndAllAsync(db, user.Id, ct);
    }

    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        return users.Select(u => new UserRow(u.Id, u.UserName, u.Role, u.LockoutEndsAt > now, u.CreatedAt)).ToArray();
    }

    public async Task SetRoleAsync(int userId, UserRole role, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new Conflict("That account no longer exists.");
        if (user.Role == role) return;
        if (user.Role == UserRole.Admin && await db.Users.CountAsync(u => u.Role == UserRole.Admin, ct) == 1)
            throw new Conflict("This is the last administrator; make someone else an administrator first.");
        db.Record(clock, actor.Name, AuditActions.UserRole, $"User {user.UserName}", $"{user.Role} → {role}");
        user.Role = role;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        await db.SaveChangesAsync(ct);
        await sessions.EndAllAsync(db, user.Id, ct);
    }

    public async Task UnlockAsync(int userId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new Conflict("That account no longer exists.");
        user.LockoutEndsAt = null;
        user.FailedLoginCount = 0;
        db.Record(clock, actor.Name, AuditActions.UserUnlock, $"User {user.UserName}");
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteAsync(int userId, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw new Conflict("That account no longer exists.");
        if (user.Role == UserRole.Admin && await db.Users.CountAsync(u => u.Role == UserRole.Admin, ct) == 1)
            throw new Conflict("This is the last administrator and cannot be deleted.");
        if (string.Equals(user.UserName, actor.Name, StringComparison.OrdinalIgnoreCase))
            throw new Conflict("You cannot delete your own account while signed in with it.");
        db.Users.Remove(user);
        db.Record(clock, actor.Name, AuditActions.UserDelete, $"User {user.UserName}");
        await db.SaveChangesAsync(ct);
        // The rows went with the account (cascade); the open circuits still need to hear it.
        await sessions.EndAllAsync(db, user.Id, ct);
    }

    /// <summary>Whether the account behind a cookie still exists with the same password and role, and its session is still open.</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (!int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)) return false;
        var stamp = principal.FindFirstValue(SecurityStampClaim);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == id && u.SecurityStamp == stamp, ct)
            && await sessions.IsLiveAsync(db, id, principal.FindFirstValue(SessionStore.SessionClaim), ct);
    }

    /// <summary>A new server-side session for a browser that just proved who it is, as the principal its cookie carries.</summary>
    public async Task<ClaimsPrincipal> StartSessionAsync(AppUser user, string authenticationType, CancellationToken ct = default) =>
        CreatePrincipal(user, authenticationType, await sessions.StartAsync(user.Id, ct));

    public static ClaimsPrincipal CreatePrincipal(AppUser user, string authenticationType, string? sessionId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.UserName),
            new(ClaimTypes.Role, user.Role.ToString()),
            new(SecurityStampClaim, user.SecurityStamp),
        };
        if (sessionId is not null) claims.Add(new Claim(SessionStore.SessionClaim, sessionId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    /// <summary>Who a request is; a token's requests are recorded under its owner and its name.</summary>
    public static Actor ActorOf(ClaimsPrincipal principal)
    {
        var name = principal.Identity?.Name ?? "anonymous";
        if (principal.FindFirstValue(ApiTokenService.TokenNameClaim) is { } token) name = ApiTokenService.ActorName(name, token);
        return new(name, principal.IsInRole(RoleNames.Admin) ? UserRole.Admin : UserRole.Viewer);
    }

    private async Task<AppUser> AddAsync(AppDbContext db, string userName, string password, UserRole role, string actor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = userName?.Trim() ?? "";
        if (!UserNamePattern().IsMatch(name))
            errors.Add("UserName", "A user name is 2 to 32 letters, digits, '.', '_' or '-'.");
        try { CheckPassword(password, "Password"); }
        catch (InvalidInput e) { errors.Add("Password", e.Errors.For("Password")!); }
        if (!errors.IsEmpty) throw new InvalidInput(errors);
        if (await db.Users.AnyAsync(u => u.UserName == name, ct))
            throw InvalidInput.For("UserName", $"The user name {name} is taken.");
        var user = new AppUser { UserName = name, PasswordHash = "", Role = role, CreatedAt = clock.GetUtcNow() };
        user.PasswordHash = _hasher.HashPassword(user, password);
        db.Users.Add(user);
        db.Record(clock, actor, AuditActions.UserCreate, $"User {name}", role.ToString());
        await db.SaveChangesAsync(ct);
        return user;
    }

    private void CheckPassword(string? password, string field)
    {
        if (password is null || password.Length < Options.MinPasswordLength)
            throw InvalidInput.For(field, $"A password needs at least {Options.MinPasswordLength} characters.");
        if (password.Length > Limits.PasswordLength)
            throw InvalidInput.For(field, $"A password can have at most {Limits.PasswordLength} characters.");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{2,32}$")]
    private static partial Regex UserNamePattern();
}
