using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using RouterAdmin.Components.Pages;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>The Users page's API tokens: the secret shown once, the list with the last use, and revoking.</summary>
public sealed class ApiTokensPanelSpecs : PageSpecs
{
    private readonly FakeTimeProvider _clock = new(InventorySpecs.Start);

    private ApiTokenService Tokens => Services.GetRequiredService<ApiTokenService>();

    private async Task<IReadOnlyList<UserRow>> UsersAsync()
    {
        await using var db = await Database.Factory.CreateDbContextAsync(Ct);
        db.Users.Add(new AppUser { UserName = "ada", PasswordHash = "unused", Role = UserRole.Admin, CreatedAt = _clock.GetUtcNow() });
        await db.SaveChangesAsync(Ct);
        return [new UserRow(1, "ada", UserRole.Admin, false, _clock.GetUtcNow())];
    }

    private void UseTokens()
    {
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(new ApiTokenService(Database.Factory, _clock));
    }

    [Fact]
    public async Task A_new_token_is_shown_once_and_listed_without_its_secret()
    {
        SignInAsAdmin();
        UseTokens();
        var users = await UsersAsync();
        var cut = Render<ApiTokensPanel>(ps => ps.Add(p => p.Users, users));

        cut.Find("[data-testid=token-name] input, input[data-testid=token-name]").Change("ansible");
        cut.Find("[data-testid=create-token]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=new-token]")));
        var secret = cut.Find("[data-testid=new-token-secret] input, input[data-testid=new-token-secret]").GetAttribute("value")!;
        Assert.StartsWith("ra_", secret);
        Assert.NotNull(await Tokens.AuthenticateAsync(secret, "test", Ct));
        var row = cut.Find("[data-testid=tokens] tbody tr").TextContent;
        Assert.Contains("ansible", row);
        Assert.Contains("never used", row);
        Assert.DoesNotContain(secret, cut.Find("[data-testid=tokens]").OuterHtml);

        var again = Render<ApiTokensPanel>(ps => ps.Add(p => p.Users, users));
        again.WaitForAssertion(() => Assert.Contains("ansible", again.Find("[data-testid=tokens] tbody tr").TextContent));
        Assert.DoesNotContain(secret, again.Markup);
    }

    [Fact]
    public async Task The_list_shows_the_last_use_and_revoking_refuses_the_token()
    {
        SignInAsAdmin();
        UseTokens();
        var users = await UsersAsync();
        var made = await Tokens.CreateAsync("ada", "cron", UserRole.Viewer, null, Actors.Admin, Ct);
        _clock.Advance(TimeSpan.FromHours(2));
        await Tokens.AuthenticateAsync(made.Secret, "test", Ct);
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<ApiTokensPanel>(ps => ps.Add(p => p.Users, users));
        cut.WaitForAssertion(() => Assert.Contains(_clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm"), cut.Find("[data-testid=tokens] tbody tr").TextContent));

        cut.Find("[data-testid=tokens] tbody tr button").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Revoke cron of ada?", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        cut.WaitForAssertion(() => Assert.Contains("revoked", cut.Find("[data-testid=tokens] tbody tr").TextContent));
        Assert.Null(await Tokens.AuthenticateAsync(made.Secret, "test", Ct));
    }
}
