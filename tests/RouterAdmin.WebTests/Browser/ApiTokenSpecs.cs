using System.Net;
using Microsoft.Playwright;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Browser;

/// <summary>An administrator makes a token on the Users page, a script uses it, and the page then shows its last use; the API reference renders.</summary>
public sealed class ApiTokenSpecs
{
    [BrowserFact]
    public async Task A_token_made_on_the_users_page_works_once_copied_and_is_listed_with_its_last_use()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await using var browser = await BrowserSession.StartAsync(console.Address, "api-tokens");
        await browser.SignInAsync("admin", TestConsole.AdminPassword);
        await browser.OpenAsync("/users", "Users");

        await browser.Page.GetByTestId("token-name").Locator("input").Or(browser.Page.Locator("input[data-testid=token-name]")).First.FillAsync("ansible");
        await browser.Page.GetByTestId("create-token").ClickAsync();
        var secretField = browser.Page.GetByTestId("new-token-secret").Locator("input").Or(browser.Page.Locator("input[data-testid=new-token-secret]")).First;
        await Assertions.Expect(secretField).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^ra_"));
        var secret = await secretField.InputValueAsync();
        await browser.ShotAsync("token-shown-once");

        using (var script = console.CreateTokenClient(secret))
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/clients", ct)).StatusCode);
        await browser.OpenAsync("/users", "Users");
        await Assertions.Expect(browser.Page.GetByTestId("tokens").Locator("tbody tr").First).Not.ToContainTextAsync("never used");
        await Assertions.Expect(browser.Page.GetByTestId("new-token")).ToHaveCountAsync(0);
        await browser.ShotAsync("token-listed");

        await browser.Page.GotoAsync("/api-reference/v1");
        await browser.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(browser.Page.Locator("h1").First).ToContainTextAsync("RouterAdmin API", new() { Timeout = 15_000 });
        await Assertions.Expect(browser.Page.Locator("body")).ToContainTextAsync("/api/v1/apply");
        await browser.ShotAsync("api-reference");
        Assert.Empty(browser.Errors);
    }
}
