using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.History;

namespace RouterAdmin.Security;

public enum PasswordVerdict { Correct, Wrong, LockedOut }

/// <summary>A password typed into a form: by whom (as far as is known), for which name, and from where.</summary>
/// <param name="FailedAction">The audit action a refusal is recorded under.</param>
public sealed record PasswordAttempt(string TypedName, string Password, string Actor, string FailedAction, string? ClientAddress);

/// <summary>
/// Checks a password someone typed (at sign-in, or as the current one when changing it) the same way every time:
/// exactly one hash whether the account exists, is locked or not, so a refusal takes as long as any other; failures
/// counted in the database with one atomic statement each, so guesses sent in parallel are all counted; and every
/// refusal written to the audit log with the name as typed and the client's address.
/// </summary>
public sealed class PasswordVerifier(TimeProvider clock, IOptions<SecurityOptions> options, IPasswordHasher<AppUser> hasher)
{
    private static readonly AppUser Nobody = new() { UserName = "", PasswordHash = "" };

    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, Convert.ToHexString(Guid.NewGuid().ToByteArray())));

    private SecurityOptions Options => options.Value;

    /// <param name="user">The account as read (untracked), or null when no account has the name.</param>
    public async Task<PasswordVerdict> VerifyAsync(AppDbContext db, AppUser? user, PasswordAttempt attempt, CancellationToken ct)
    {
        var password = attempt.Password;
        var now = clock.GetUtcNow();
        var locked = user?.LockoutEndsAt > now;
        var result = user is null || locked
            ? hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, password)
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (user is not null && !locked && result != PasswordVerificationResult.Failed)
        {
            // Right, unless a guess running beside this one has just locked the account.
            var open = await db.Users.Where(u => u.Id == user.Id && (u.LockoutEndsAt == null || u.LockoutEndsAt <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedLoginCount, 0).SetProperty(u => u.LockoutEndsAt, (DateTimeOffset?)null), ct);
            if (open == 1)
            {
                if (result == PasswordVerificationResult.SuccessRehashNeeded)
                {
                    var stronger = hasher.HashPassword(user, password);
                    await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, stronger), ct);
                }
                return PasswordVerdict.Correct;
            }
            locked = true;
        }

        string why;
        if (user is null) why = "no such user";
        else if (locked) why = "the account is locked";
        else
        {
            why = "wrong password";
            locked = await CountFailureAsync(db, user, now, ct);
        }
        db.Record(clock, attempt.Actor, attempt.FailedAction, $"User {Printable(attempt.TypedName)}",
            $"{why}; from {attempt.ClientAddress ?? "an unknown address"}");
        await db.SaveChangesAsync(ct);
        return locked ? PasswordVerdict.LockedOut : PasswordVerdict.Wrong;
    }

    /// <summary>One more failure, counted by the database; whether this one locked the account.</summary>
    private async Task<bool> CountFailureAsync(AppDbContext db, AppUser user, DateTimeOffset now, CancellationToken ct)
    {
        await db.Users.Where(u => u.Id == user.Id && (u.LockoutEndsAt == null || u.LockoutEndsAt <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedLoginCount, u => u.FailedLoginCount + 1), ct);
        var max = Options.MaxFailedSignIns;
        var until = now + Options.LockoutDuration;
        // Only one of the guesses that reach the limit together locks (and resets the count): the others find it at zero.
        var locked = await db.Users.Where(u => u.Id == user.Id && u.FailedLoginCount >= max)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEndsAt, (DateTimeOffset?)until).SetProperty(u => u.FailedLoginCount, 0), ct);
        if (locked == 1)
            db.Record(clock, user.UserName, AuditActions.UserLockout, $"User {user.UserName}",
                $"locked for {Options.LockoutDuration.TotalMinutes:0} min after {max} failed password checks");
        return locked == 1;
    }

    /// <summary>What was typed, kept to one short line: the name field can carry anything.</summary>
    private static string Printable(string typed)
    {
        var line = new string([.. typed.Trim().Select(c => char.IsControl(c) ? '?' : c)]);
        return line.Length <= Limits.NameLength ? line : line[..(Limits.NameLength - 1)] + "…";
    }
}
