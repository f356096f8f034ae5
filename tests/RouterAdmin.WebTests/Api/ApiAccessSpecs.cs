using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Api;

/// <summary>
/// Every route the console maps under /api/v1, read from its own endpoint table: who gets in with what. One console for
/// the class; each spec walks the whole table, so a route added later is covered without a line here.
/// </summary>
public sealed class ApiAccessSpecs : IAsyncLifetime
{
    /// <summary>Reads only an administrator may make: a backup holds every password hash, the tokens list every key's owner.</summary>
    private static readonly string[] AdminOnlyReads = ["/api/v1/backup", "/api/v1/tokens"];

    private TestConsole _console = null!;
    private string _viewerToken = "";
    private string _adminToken = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await _console.CreateUserAsync("admin", UserRole.Admin);
        await _console.CreateUserAsync("watcher", UserRole.Viewer);
        _viewerToken = (await _console.CreateTokenAsync("watcher", "dashboard", UserRole.Viewer)).Secret;
        _adminToken = (await _console.CreateTokenAsync("admin", "ansible", UserRole.Admin)).Secret;
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private IReadOnlyList<(string Method, string Path)> Routes() =>
        _console.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, Concrete(e.RoutePattern.RawText!))))
            .Distinct()
            .ToArray();

    private static string Concrete(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", "1").TrimEnd('/');

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };

    [Fact]
    public async Task The_table_has_the_whole_console_in_it()
    {
        var routes = Routes();
        foreach (var expected in new[] { ("GET", "/api/v1/clients"), ("PUT", "/api/v1/endpoints/1"), ("DELETE", "/api/v1/addresses/1"),
                     ("POST", "/api/v1/assignments"), ("PUT", "/api/v1/settings"), ("POST", "/api/v1/import"), ("GET", "/api/v1/activity"),
                     ("POST", "/api/v1/revisions/1/confirm"), ("GET", "/api/v1/revisions/1/diff"), ("POST", "/api/v1/apply") })
            Assert.Contains(expected, routes);
        Assert.True(routes.Count > 30, $"only {routes.Count} routes");
    }

    [Fact]
    public async Task Without_a_cookie_or_a_token_every_route_answers_401()
    {
        using var anonymous = _console.CreateClient();
        foreach (var (method, path) in Routes())
        {
            using var response = await anonymous.SendAsync(Request(method, path), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_viewer_token_reads_everything_it_may_and_every_write_is_403()
    {
        using var viewer = _console.CreateTokenClient(_viewerToken);
        foreach (var (method, path) in Routes())
        {
            using var response = await viewer.SendAsync(Request(method, path), Ct);
            var status = (int)response.StatusCode;
            if (method == "GET" && !AdminOnlyReads.Contains(path))
                Assert.True(status is 200 or 404, $"{method} {path}: {status} {await response.Content.ReadAsStringAsync(Ct)}");
            else
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {status}");
        }
    }

    [Fact]
    public async Task An_admin_token_gets_past_authorization_on_every_route()
    {
        using var admin = _console.CreateTokenClient(_adminToken);
        foreach (var (method, path) in Routes().Where(r => r.Method == "GET"))
        {
            using var response = await admin.SendAsync(Request(method, path), Ct);
            Assert.True((int)response.StatusCode is 200 or 404, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_revoked_an_expired_and_a_removed_owners_token_are_refused_at_once()
    {
        await _console.CreateUserAsync("leaver", UserRole.Admin);
        var revoked = await _console.CreateTokenAsync("admin", "revoked", UserRole.Admin);
        var expired = await _console.CreateTokenAsync("admin", "expired", UserRole.Admin, DateTimeOffset.UtcNow.AddDays(1));
        var orphan = await _console.CreateTokenAsync("leaver", "cron", UserRole.Admin);
        using var revokedClient = _console.CreateTokenClient(revoked.Secret);
        using var expiredClient = _console.CreateTokenClient(expired.Secret);
        using var orphanClient = _console.CreateTokenClient(orphan.Secret);
        foreach (var client in new[] { revokedClient, expiredClient, orphanClient })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/clients", Ct)).StatusCode);

        await _console.Get<ApiTokenService>().RevokeAsync(revoked.Token.Id, TestConsole.Admin, Ct);
        await using (var db = await _console.OpenDatabaseAsync())
            await db.ApiTokens.Where(t => t.Id == expired.Token.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)), Ct);
        var users = _console.Get<UserService>();
        await users.DeleteAsync((await users.ListAsync(Ct)).Single(u => u.UserName == "leaver").Id, TestConsole.Admin, Ct);

        foreach (var client in new[] { revokedClient, expiredClient, orphanClient })
        {
            using var response = await client.GetAsync("/api/v1/clients", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task A_token_is_not_a_way_into_the_pages()
    {
        using var admin = _console.CreateTokenClient(_adminToken);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var noRedirects = new HttpClient(handler) { BaseAddress = _console.Address };
        noRedirects.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;

        using var page = await noRedirects.GetAsync("/clients", Ct);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.OriginalString.Replace(_console.Address.ToString(), "/"));
    }
}
