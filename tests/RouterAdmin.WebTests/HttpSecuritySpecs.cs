using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.Data;
using RouterAdmin.Hosting;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>The real console on loopback: nobody gets in without signing in, and a viewer cannot change anything.</summary>
public sealed class HttpSecuritySpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every routable page of the console, with a sample id where the route takes one.</summary>
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        var routes = typeof(RouterAdminHost).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template.Replace("{Id:int}", "1", StringComparison.Ordinal))
            .Where(r => !r.StartsWith("/account/", StringComparison.Ordinal) || r == "/account/password")
            .Where(r => r is not "/error" and not "/not-found")
            .Distinct()
            .Order();
        foreach (var route in routes) data.Add(route);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_sends_an_anonymous_browser_to_the_sign_in_form(string page)
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        using var response = await client.GetAsync(page, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", PathOf(response));
        Assert.DoesNotContain("RouterAdmin.Inventory", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_blazor_hub_and_the_api_refuse_an_anonymous_client()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        using var negotiate = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null, Ct);
        using var status = await client.GetAsync("/api/v1/status", Ct);
        using var apply = await client.PostAsJsonAsync("/api/v1/apply", new { Reason = "x", Fingerprint = "x" }, Ct);

        Assert.True(negotiate.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect, $"the hub answered {negotiate.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, apply.StatusCode);
    }

    [Fact]
    public async Task Only_the_sign_in_pages_static_assets_and_the_health_check_answer_anonymously()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        foreach (var path in new[] { "/account/login", "/account/denied", "/healthz", "/app.css", "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.css" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Without_any_account_every_page_leads_to_first_run_setup_which_cannot_be_replayed()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        using var client = console.CreateClient();

        using var home = await client.GetAsync("/", Ct);
        Assert.Equal("/account/setup", PathOf(home));
        var setup = await client.GetStringAsync("/account/setup", Ct);
        using var created = await client.PostAsync("/account/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(setup),
            ["_handler"] = "setup",
            ["Input.UserName"] = "first",
            ["Input.Password"] = TestConsole.AdminPassword,
            ["Input.Confirm"] = TestConsole.AdminPassword,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/", Ct)).StatusCode);

        // A second visitor cannot use the setup form to make themselves an administrator.
        using var stranger = console.CreateClient();
        using var again = await stranger.GetAsync("/account/setup", Ct);
        Assert.Equal("/account/login", PathOf(again));
        await using var scope = console.Services.CreateAsyncScope();
        await Assert.ThrowsAsync<Conflict>(() => scope.ServiceProvider.GetRequiredService<UserService>().CreateFirstAdminAsync("mallory", TestConsole.AdminPassword, Ct));
    }

    [Fact]
    public async Task A_viewer_can_read_but_cannot_edit_apply_or_roll_back_even_through_the_api_while_an_admin_can()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("viewer", UserRole.Viewer);
        using var viewer = console.CreateClient();
        using var admin = console.CreateClient();
        await TestConsole.SignInAsync(viewer, "viewer");
        await TestConsole.SignInAsync(admin, "admin");
        var preview = await viewer.GetFromJsonAsync<PreviewBody>("/api/v1/preview", Ct);

        using var viewerApply = await viewer.PostAsJsonAsync("/api/v1/apply", new { Reason = "sneaky", preview!.Fingerprint }, Ct);
        using var viewerRollback = await viewer.PostAsJsonAsync("/api/v1/revisions/1/rollback", new { Reason = "sneaky", preview.Fingerprint }, Ct);
        using var viewerClient = await viewer.PostAsJsonAsync("/api/v1/clients", new { Name = "Eve", LanAddress = "192.168.1.66" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, viewerApply.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerRollback.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/clients", Ct)).StatusCode);

        await using (var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct))
        {
            Assert.Empty(db.Clients);
            Assert.Empty(db.Revisions);
        }

        using var adminClient = await admin.PostAsJsonAsync("/api/v1/clients", new { Name = "Alice", LanAddress = "192.168.1.2" }, Ct);
        Assert.Equal(HttpStatusCode.OK, adminClient.StatusCode);
        var fresh = await admin.GetFromJsonAsync<PreviewBody>("/api/v1/preview", Ct);
        using var adminApply = await admin.PostAsJsonAsync("/api/v1/apply", new { Reason = "install the chain", fresh!.Fingerprint }, Ct);
        Assert.Equal(HttpStatusCode.OK, adminApply.StatusCode);
    }

    [Fact]
    public async Task Bad_input_to_the_api_gets_field_errors_and_an_apply_without_the_previewed_fingerprint_is_refused()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var admin = console.CreateClient();
        await TestConsole.SignInAsync(admin, "admin");

        using var bad = await admin.PostAsJsonAsync("/api/v1/clients", new { Name = "Line\nbreak", LanAddress = "192.168.1.255" }, Ct);
        var problem = await bad.Content.ReadAsStringAsync(Ct);
        using var stale = await admin.PostAsJsonAsync("/api/v1/apply", new { Reason = "blind", Fingerprint = "0000" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("single line", problem);
        Assert.Contains("broadcast address", problem);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed since this preview", await stale.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_with_the_same_message_and_the_lock_releases_after_its_duration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Clock = time });
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        var messages = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
            messages.Add(await (await TestConsole.SignInAsync(client, "admin", "wrong password!!")).Content.ReadAsStringAsync(Ct));
        using var locked = await TestConsole.SignInAsync(client, "admin");
        var unknown = await (await TestConsole.SignInAsync(client, "nobody-here", "whatever password")).Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        var lockedText = await locked.Content.ReadAsStringAsync(Ct);
        Assert.Contains("data-testid=\"login-error\"", lockedText);
        Assert.All(messages.Append(unknown), m => Assert.Contains(ErrorOf(lockedText), m));

        time.Advance(TimeSpan.FromMinutes(16));
        using var released = await TestConsole.SignInAsync(client, "admin");
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
    }

    [Fact]
    public async Task Passwords_are_stored_only_as_salted_hashes()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("other", UserRole.Viewer);

        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var hashes = await db.Users.Select(u => u.PasswordHash).ToListAsync(Ct);
        Assert.All(hashes, h => Assert.DoesNotContain(TestConsole.AdminPassword, h));
        Assert.All(hashes, h => Assert.Equal(0x01, Convert.FromBase64String(h)[0])); // ASP.NET Core's v3 format: PBKDF2 with a random salt
        Assert.NotEqual(hashes[0], hashes[1]);
        Assert.DoesNotContain(TestConsole.AdminPassword, await File.ReadAllTextAsync(console.DatabasePath, Ct));
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_a_strict_content_security_policy()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        await TestConsole.SignInAsync(client, "admin");

        foreach (var path in new[] { "/", "/account/login", "/clients", "/app.css" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-eval", csp);
        }
    }

    [Fact]
    public async Task A_sign_in_or_sign_out_without_the_antiforgery_token_is_refused()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        using var forged = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.UserName"] = "admin", ["Input.Password"] = TestConsole.AdminPassword,
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        await TestConsole.SignInAsync(client, "admin");
        using var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clients", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_session_left_idle_past_the_timeout_must_sign_in_again_and_sign_out_ends_it_at_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Clock = time });
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        await TestConsole.SignInAsync(client, "admin");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clients", Ct)).StatusCode);

        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/clients", Ct)).StatusCode);

        await TestConsole.SignInAsync(client, "admin");
        var page = await client.GetStringAsync("/account/login", Ct);
        using var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(page),
        }), Ct);
        Assert.Equal("/account/login", PathOf(logout));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/clients", Ct)).StatusCode);
    }

    [Fact]
    public async Task Changing_a_password_ends_the_accounts_other_sessions()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var laptop = console.CreateClient();
        using var phone = console.CreateClient();
        await TestConsole.SignInAsync(laptop, "admin");
        await TestConsole.SignInAsync(phone, "admin");

        var form = await laptop.GetStringAsync("/account/password", Ct);
        using var changed = await laptop.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(form),
            ["_handler"] = "password",
            ["Input.Current"] = TestConsole.AdminPassword,
            ["Input.New"] = "an even longer passphrase",
            ["Input.Confirm"] = "an even longer passphrase",
        }), Ct);

        Assert.Contains("Password changed", await changed.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/clients", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await phone.GetAsync("/clients", Ct)).StatusCode);
    }

    private static string PathOf(HttpResponseMessage redirect) =>
        redirect.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.AbsolutePath : redirect.Headers.Location!.OriginalString.Split('?')[0];

    private static string ErrorOf(string html)
    {
        const string marker = "data-testid=\"login-error\">";
        var start = html.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return html[start..html.IndexOf('<', start)];
    }

    private sealed record PreviewBody(bool InSync, string Fingerprint);
}
