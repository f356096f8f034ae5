using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Api;

/// <summary>The OpenAPI document describes every route the console maps, is valid OpenAPI, and the reference page is for signed-in users.</summary>
public sealed partial class OpenApiSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_mapped_api_route_is_in_a_valid_document()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("watcher", UserRole.Viewer);
        using var viewer = console.CreateTokenClient((await console.CreateTokenAsync("watcher", "docs", UserRole.Viewer)).Secret);

        using var response = await viewer.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var read = await OpenApiDocument.LoadAsync(body, "json", settings: null, Ct);

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        var document = read.Document!;
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        var documented = document.Paths.SelectMany(p => p.Value.Operations!.Keys.Select(m => $"{m.Method.ToUpperInvariant()} {p.Key}")).ToHashSet();
        var mapped = console.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {Documented(e.RoutePattern.RawText!)}"))
            .ToArray();
        Assert.True(mapped.Length > 30, $"only {mapped.Length} routes");
        Assert.All(mapped, route => Assert.Contains(route, documented));
        Assert.True(document.Components!.SecuritySchemes!.ContainsKey("bearer"));
    }

    [Fact]
    public async Task The_reference_page_is_for_signed_in_users_only()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var anonymous = console.CreateClient();
        using var signedIn = console.CreateClient();
        await TestConsole.SignInAsync(signedIn, "admin");

        using var refused = await anonymous.GetAsync("/api-reference/v1", Ct);
        using var document = await anonymous.GetAsync("/openapi/v1.json", Ct);
        using var shown = await signedIn.GetAsync("/api-reference/v1", Ct);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/login", refused.Headers.Location!.OriginalString);
        Assert.NotEqual(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("RouterAdmin API", await shown.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A route pattern as OpenAPI writes its path: parameters without their constraints, no trailing slash.</summary>
    private static string Documented(string pattern) => Constraint().Replace(pattern, "{$1}").TrimEnd('/');

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex Constraint();
}
