using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Security;

/// <summary>
/// <c>Authorization: Bearer …</c> on the API, the cookie everywhere else. One policy scheme chooses, so every
/// <c>RequireAuthorization</c> and role check works the same for both, and a page never accepts a token.
/// </summary>
public static class ApiTokenAuthentication
{
    public const string Scheme = "ApiToken";
    public const string CookieOrToken = "CookieOrToken";

    /// <summary>The paths where a bearer token is taken: the API, the metrics and the OpenAPI document.</summary>
    public static bool AcceptsTokens(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");

    public static AuthenticationBuilder AddApiTokens(this AuthenticationBuilder authentication)
    {
        authentication.Services.AddSingleton<TokenGuessLimiter>();
        return authentication
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Scheme, _ => { })
            .AddPolicyScheme(CookieOrToken, "Cookie or API token", policy => policy.ForwardDefaultSelector = http =>
                AcceptsTokens(http.Request.Path) && BearerOf(http.Request) is not null ? Scheme : CookieAuthenticationDefaults.AuthenticationScheme);
    }

    internal static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Wrong tokens per client address per minute, like the sign-in form's budget: guessing is answered 429.</summary>
internal sealed class TokenGuessLimiter(IOptions<SecurityOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.SignInAttemptsPerAddressPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Whether this address still has wrong guesses left this minute (checked before the token is looked up).</summary>
    public bool MayTry(string address)
    {
        using var probe = _limiter.AttemptAcquire(address, permitCount: 0);
        return probe.IsAcquired;
    }

    public void CountWrong(string address) => _limiter.AttemptAcquire(address).Dispose();

    public void Dispose() => _limiter.Dispose();
}

internal sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens, TokenGuessLimiter guesses) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string ThrottledKey = "routeradmin:token-throttled";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiTokenAuthentication.BearerOf(Request) is not { } secret) return AuthenticateResult.NoResult();
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (!guesses.MayTry(address))
        {
            Context.Items[ThrottledKey] = true;
            return AuthenticateResult.Fail("Too many wrong tokens from this address.");
        }
        var principal = await tokens.AuthenticateAsync(secret, Scheme.Name, Context.RequestAborted);
        if (principal is null)
        {
            guesses.CountWrong(address);
            return AuthenticateResult.Fail("The token is unknown, revoked or expired, or its account was removed.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        DisableStatusCodePages();
        if (Context.Items.ContainsKey(ThrottledKey))
        {
            SignInLimits.RefuseAsTooMany(Context);
            return Task.CompletedTask;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        DisableStatusCodePages();
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    // A script wants the status code, not the not-found page the status-code pages would put there.
    private void DisableStatusCodePages()
    {
        if (Context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
    }
}
