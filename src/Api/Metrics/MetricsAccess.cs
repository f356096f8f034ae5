using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using RouterAdmin.Security;

namespace RouterAdmin.Api.Metrics;

/// <summary>
/// Who reads /metrics: anyone signed in with a role (a viewer's cookie, or a viewer's API token once those exist: the
/// policy asks for the role, not for a scheme), or a Prometheus server holding the configured scrape token.
/// </summary>
internal static class MetricsAccess
{
    public const string Policy = "MetricsReader";

    public static void AddPolicy(AuthorizationOptions authorization) =>
        authorization.AddPolicy(Policy, policy => policy.RequireAssertion(context =>
            context.User.IsInRole(RoleNames.Viewer) || context.User.IsInRole(RoleNames.Admin)
            || (context.Resource is HttpContext http && HoldsScrapeToken(http))));

    private static bool HoldsScrapeToken(HttpContext http)
    {
        var token = http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.ScrapeToken?.Trim();
        if (string.IsNullOrEmpty(token)) return false;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        // Hashed first, so the comparison takes as long whatever the length or the first wrong character of a guess.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim())),
            SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
