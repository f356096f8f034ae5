using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Security;

/// <summary>
/// ASP.NET Core's rate limiter in front of the forms that check a password (sign-in, password change, first-run setup):
/// per client address, posts only, answered 429 before anything is parsed or hashed.
/// </summary>
public static class SignInLimits
{
    /// <summary>The policy a form names with <c>[EnableRateLimiting(SignInLimits.Policy)]</c>.</summary>
    public const string Policy = "password-forms";

    public const string TooManyMessage = "Too many sign-in attempts; wait a minute and try again.";

    public static IServiceCollection AddSignInLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, ct) =>
            {
                // A body of its own, so the status-code pages do not put the not-found page behind the 429.
                rejected.HttpContext.Response.Headers.RetryAfter = "60";
                await rejected.HttpContext.Response.WriteAsync(TooManyMessage, ct);
            };
            limiter.AddPolicy(Policy, http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method)) return RateLimitPartition.GetNoLimiter("");
                var perAddress = http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.SignInAttemptsPerAddressPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perAddress,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });

    /// <summary>What a form answers when the per-name budget or the hashing cap refused the check.</summary>
    public static void RefuseAsTooMany(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = "60";
    }
}
