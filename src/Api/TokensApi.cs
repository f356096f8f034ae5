using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>/api/v1/tokens: API tokens, for administrators only; the secret is in the creation's answer and never again.</summary>
internal static class TokensApi
{
    public sealed record TokenBody(string UserName, string Name, UserRole Role, DateTimeOffset? ExpiresAt);

    public static void MapTokensApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens").RequireAuthorization(ApiResults.Admins);

        tokens.MapGet("", async (ApiTokenService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));

        tokens.MapPost("", (TokenBody body, HttpContext http, ApiTokenService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.CreateAsync(body.UserName ?? "", body.Name, body.Role, body.ExpiresAt, actor, ct)));

        tokens.MapDelete("/{id:int}", (int id, HttpContext http, ApiTokenService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.RevokeAsync(id, actor, ct)));
    }
}
