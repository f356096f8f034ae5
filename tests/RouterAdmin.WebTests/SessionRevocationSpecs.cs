using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>A session lives on the server: ending it ends it for every copy of its cookie and every open circuit.</summary>
public sealed class SessionRevocationSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_sign_out_a_copied_cookie_no_longer_gets_in()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        var cookies = new CookieContainer();
        using var browser = console.CreateClient(cookies);
        await TestConsole.SignInAsync(browser, "admin");
        var stolen = new CookieContainer();
        stolen.Add(cookies.GetAllCookies());
        using var thief = console.CreateClient(stolen);
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/v1/status", Ct)).StatusCode);

        var page = await browser.GetStringAsync("/account/login", Ct);
        using var logout = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(page),
        }), Ct);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/v1/status", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await thief.GetAsync("/clients", Ct)).StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_only_that_session_not_the_accounts_other_ones()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var laptop = console.CreateClient();
        using var phone = console.CreateClient();
        await TestConsole.SignInAsync(laptop, "admin");
        await TestConsole.SignInAsync(phone, "admin");

        var page = await laptop.GetStringAsync("/account/login", Ct);
        await laptop.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(page),
        }), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/api/v1/status", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/api/v1/status", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_role_change_a_password_reset_or_removal_ends_the_accounts_sessions_at_once()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        var admin = await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("demoted", UserRole.Admin);
        await console.CreateUserAsync("reset", UserRole.Viewer);
        await console.CreateUserAsync("removed", UserRole.Viewer);
        using var demoted = console.CreateClient();
        using var reset = console.CreateClient();
        using var removed = console.CreateClient();
        await TestConsole.SignInAsync(demoted, "demoted");
        await TestConsole.SignInAsync(reset, "reset");
        await TestConsole.SignInAsync(removed, "removed");
        var users = console.Services.GetRequiredService<UserService>();
        var rows = await users.ListAsync(Ct);

        await users.SetRoleAsync(rows.Single(u => u.UserName == "demoted").Id, UserRole.Viewer, admin, Ct);
        await users.ResetPasswordAsync(rows.Single(u => u.UserName == "reset").Id, "a password set by the admin", admin, Ct);
        await users.DeleteAsync(rows.Single(u => u.UserName == "removed").Id, admin, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, (await demoted.GetAsync("/api/v1/status", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reset.GetAsync("/api/v1/status", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await removed.GetAsync("/api/v1/status", Ct)).StatusCode);
        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var adminId = rows.Single(u => u.UserName == "admin").Id;
        Assert.Empty(await db.Sessions.Where(s => s.UserId != adminId).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_open_circuit_loses_its_sign_in_as_soon_as_its_session_is_revoked_not_a_minute_later()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        var admin = await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("operator", UserRole.Admin);
        var users = console.Services.GetRequiredService<UserService>();
        var (_, user) = await users.CheckPasswordAsync("operator", TestConsole.AdminPassword, ct: Ct);
        var principal = await users.StartSessionAsync(user!, "Cookies", Ct);
        await using var scope = console.Services.CreateAsyncScope();
        // What a circuit's provider holds: the principal of the cookie that opened it.
        var circuit = (ServerAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        circuit.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        var signedOut = new TaskCompletionSource<ClaimsPrincipal>(TaskCreationOptions.RunContinuationsAsynchronously);
        circuit.AuthenticationStateChanged += async state => signedOut.TrySetResult((await state).User);

        await users.SetRoleAsync(user!.Id, UserRole.Viewer, admin, Ct);

        var after = await signedOut.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(after.Identity?.IsAuthenticated);
    }
}
