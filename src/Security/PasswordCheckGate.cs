using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Security;

/// <summary>
/// What every password check passes first: a per-user-name budget (so one account, or one made-up name, cannot be
/// guessed at fast) and a global cap on hashes running at once (so a flood of sign-ins cannot take every core).
/// The per-address budget is the rate limiter's, in front of the forms (<see cref="SignInLimits"/>).
/// </summary>
public sealed class PasswordCheckGate : IDisposable
{
    /// <summary>Checks that may wait for a hashing slot; one more is refused rather than queued for seconds.</summary>
    private const int QueuedChecks = 8;

    private readonly PartitionedRateLimiter<string> _perName;
    private readonly ConcurrencyLimiter _hashing;

    public PasswordCheckGate(IOptions<SecurityOptions> options)
    {
        var settings = options.Value;
        _perName = PartitionedRateLimiter.Create<string, string>(
            name => RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.SignInAttemptsPerUserPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }),
            StringComparer.Ordinal);
        _hashing = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.ConcurrentPasswordChecks,
            QueueLimit = QueuedChecks,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A hashing slot for a check of <paramref name="userName"/>'s password, or null when the check must be refused (429).</summary>
    public async ValueTask<IDisposable?> EnterAsync(string userName, CancellationToken ct)
    {
        using (var budget = _perName.AttemptAcquire(Key(userName)))
            if (!budget.IsAcquired) return null;
        var slot = await _hashing.AcquireAsync(1, ct);
        if (slot.IsAcquired) return slot;
        slot.Dispose();
        return null;
    }

    /// <summary>User names compare without case (the column is NOCASE); a made-up name longer than any real one is cut.</summary>
    private static string Key(string userName)
    {
        var name = userName.Trim().ToUpperInvariant();
        return name.Length <= Domain.Limits.NameLength ? name : name[..Domain.Limits.NameLength];
    }

    public void Dispose()
    {
        _perName.Dispose();
        _hashing.Dispose();
    }
}
