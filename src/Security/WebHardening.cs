using Microsoft.AspNetCore.Antiforgery;

namespace RouterAdmin.Security;

internal static class WebHardening
{
    /// <summary>The web console's defences that are settings rather than code: limits, host names, cookies, headers.</summary>
    public static void AddWebHardening(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignInLimits();
        builder.ConfigureAllowedHosts();
        // Over HTTPS the antiforgery cookie is Secure like the sign-in cookie; plain HTTP on the LAN keeps working.
        builder.Services.Configure<AntiforgeryOptions>(antiforgery => antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        // No "Server: Kestrel": nothing to tell a scanner which server and version to try.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
    }
}
