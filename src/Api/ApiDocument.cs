using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace RouterAdmin.Api;

/// <summary>
/// The OpenAPI document ASP.NET Core generates from the mapped routes (/openapi/v1.json) and Scalar's interactive
/// reference on it, both for signed-in users and tokens only, like the API they describe.
/// </summary>
internal static class ApiDocument
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Not under /api: a browser without a cookie is sent to the sign-in form, not answered 401.</summary>
    public const string ReferencePath = "/api-reference";

    public static void AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", openApi =>
        {
            // Only the JSON API: the pages, the sign-in form and the health check are not part of the contract.
            openApi.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "RouterAdmin API",
                    Version = "v1",
                    Description = "Send Authorization: Bearer <token> (made on the Users page or with `RouterAdmin token create`). " +
                        "Reads need a Viewer or Admin token, writes an Admin one. Errors are RFC 9457 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API token (ra_…).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
                return Task.CompletedTask;
            });
        });

    public static void MapApiDocument(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization();
        endpoints.MapScalarApiReference(ReferencePath, reference => reference
                .WithTitle("RouterAdmin API")
                // A router is often offline, and the page's policy allows nothing from elsewhere: the system's fonts.
                .DisableDefaultFonts()
                .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .RequireAuthorization();
    }
}
