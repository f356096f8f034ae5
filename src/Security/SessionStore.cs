using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RouterAdmin.Data;

namespace RouterAdmin.Security;

/// <summary>
/// The server's list of signed-in browsers (<see cref="UserSession"/>), and a signal to the open Blazor circuits when
/// one of an account's sessions ends, so they re-check at once instead of at their next revalidation.
/// </summary>
public sealed class SessionStore(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, IOptions<SecurityOptions> options)
{
    public const string SessionClaim = "routeradmin:session";

    /// <summary>How stale <see cref="UserSession.LastSeenAt"/> may get before a request refreshes it (a write).</summary>
    private static readonly TimeSpan SeenResolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<object, Action<int>> _watchers = new();

    public async Task<string> StartAsync(int userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Sessions nobody used for longer than the idle timeout are over anyway; forget them.
        var idleSince = now - options.Value.IdleTimeout;
        await db.Sessions.Where(s => s.LastSeenAt < idleSince).ExecuteDeleteAsync(ct);
        db.Sessions.Add(new UserSession { Id = id, UserId = userId, CreatedAt = now, LastSeenAt = now });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>Whether the session exists for this account and has not been idle past the timeout; refreshes its last use.</summary>
    public async Task<bool> IsLiveAsync(AppDbContext db, int userId, string? sessionId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(sessionId)) return false;
        var now = clock.GetUtcNow();
        var lastSeen = await db.Sessions.Where(s => s.Id == sessionId && s.UserId == userId)
            .Select(s => (DateTimeOffset?)s.LastSeenAt).SingleOrDefaultAsync(ct);
        if (lastSeen is not { } seen || seen < now - options.Value.IdleTimeout) return false;
        if (now - seen > SeenResolution)
            await db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), ct);
        return true;
    }

    /// <summary>Signing out: this browser's session only.</summary>
    public async Task EndAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (principal.FindFirstValue(SessionClaim) is not { } id || !int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        Ended(userId);
    }

    /// <summary>Every session of an account: after a password change, a role change or its removal.</summary>
    public async Task EndAllAsync(AppDbContext db, int userId, CancellationToken ct)
    {
        await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(ct);
        Ended(userId);
    }

    /// <summary>Calls <paramref name="ended"/> with the account's id whenever sessions of it end, until disposed.</summary>
    public IDisposable OnEnded(Action<int> ended)
    {
        var key = new object();
        _watchers[key] = ended;
        return new Subscription(() => _watchers.TryRemove(key, out _));
    }

    private void Ended(int userId)
    {
        foreach (var watcher in _watchers.Values) watcher(userId);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
