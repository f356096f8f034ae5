using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace RouterAdmin.Security;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Sign-out is a POST with an antiforgery token, so another site cannot sign an administrator out.
        endpoints.MapPost("/account/logout", async (HttpContext context, IAntiforgery antiforgery, SessionStore sessions) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
                return Results.Text("The sign-out form had no valid antiforgery token; reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            // Ended on the server, so a copy of the cookie is worthless and the other tabs of this session sign out too.
            await sessions.EndAsync(context.User, context.RequestAborted);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            var idle = context.Request.HasFormContentType && context.Request.Form["reason"] == "idle";
            return Results.LocalRedirect(idle ? "/account/login?idle=1" : "/account/login");
        }).AllowAnonymous().DisableAntiforgery();
    }

    /// <summary>Until the first administrator exists, every page leads to the setup form.</summary>
    public static IApplicationBuilder UseFirstRunSetup(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var isPage = HttpMethods.IsGet(context.Request.Method)
                && !path.StartsWithSegments("/_framework") && !path.StartsWithSegments("/_content") && !path.StartsWithSegments("/_blazor")
                && !path.StartsWithSegments("/account/setup") && !path.StartsWithSegments("/healthz")
                && !Path.HasExtension(path.Value);
            if (isPage && !await context.RequestServices.GetRequiredService<UserService>().AnyUsersAsync(context.RequestAborted))
            {
                context.Response.Redirect("/account/setup");
                return;
            }
            await next(context);
        });
}
