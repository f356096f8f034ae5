namespace RouterAdmin.Security;

internal static class SecurityHeaders
{
    /// <summary>
    /// What Blazor Server and MudBlazor work under: scripts only from this origin (no inline script, no eval), styles
    /// inline too (MudBlazor sets style attributes and its theme is a style element), the circuit's WebSocket back to
    /// this origin, and no framing, plugins or foreign form targets.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// Scalar's API reference starts itself with an inline module script: allowed on that page alone, which shows only
    /// the OpenAPI document and sends what its user types to this origin.
    /// </summary>
    public const string ReferencePagePolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Api.ApiDocument.ReferencePath) ? ReferencePagePolicy : ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Pages and API answers show the router's state and its users: no cache keeps them. Static assets set
                // their own Cache-Control (MapStaticAssets), which stays.
                if (string.IsNullOrEmpty(headers.CacheControl)) headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            await next(context);
        });
}
