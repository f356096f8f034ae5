using System.Text.Json.Serialization;
using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>
/// The whole console as JSON under /api/v1, one file per resource, each calling the same services as the pages, so the
/// validation, roles and audit are theirs. Reads need a signed-in user or a token (Viewer or Admin); writes an Admin.
/// </summary>
internal static class ApiEndpoints
{
    public const string Prefix = "/api/v1";

    public static void AddRouterAdminApi(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(ApiResults.Admins, policy => policy.RequireAuthenticatedUser().RequireRole(RoleNames.Admin));
        // Enums by name ("Admin", "Applied"): a script should not have to know their order.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddApiDocument();
    }

    public static void MapRouterAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // JSON bodies only: a browser cannot send application/json across sites without CORS, and the cookie is SameSite=Strict.
        var api = endpoints.MapGroup(Prefix).DisableAntiforgery();
        api.MapRouterApi();
        api.MapClientsApi();
        api.MapEndpointsApi();
        api.MapAddressesApi();
        api.MapAssignmentsApi();
        api.MapSettingsApi();
        api.MapImportApi();
        api.MapRevisionsApi();
        api.MapTokensApi();
        api.MapVpnUsersApi();
    }
}
