using Microsoft.Playwright;
using RouterAdmin.Inventory;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>Bulk work on the Clients page: select new employees, give each a free address towards the endpoint at once.</summary>
public sealed class BulkAssignSpecs
{
    [BrowserFact]
    public async Task Selecting_two_new_clients_and_assigning_free_addresses_gives_each_its_own_then_the_preview_shows_both()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Selecting_two_new_clients_and_assigning_free_addresses_gives_each_its_own_then_the_preview_shows_both));
        var (browser, console) = (router.Browser, router.Console);
        foreach (var (name, address) in new[] { ("Dana", "192.168.1.20"), ("Eli", "192.168.1.21") })
            await console.Clients.CreateAsync(new ClientDraft { Name = name, LanAddress = address }, TestConsole.Admin, TestContext.Current.CancellationToken);
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        await browser.OpenAsync("/clients", "Clients");
        var table = browser.Page.GetByTestId("clients-table");
        await Expect(table).ToContainTextAsync("Eli");
        await table.Locator("tr", new() { HasText = "Dana" }).Locator("input[type=checkbox]").CheckAsync();
        await table.Locator("tr", new() { HasText = "Eli" }).Locator("input[type=checkbox]").CheckAsync();
        await Expect(browser.Page.GetByTestId("bulk-assign")).ToContainTextAsync("2 selected");
        await browser.ShotAsync("two-selected");
        await browser.Page.GetByTestId("bulk-assign-button").ClickAsync();

        await Expect(browser.Page.Locator(".mud-snackbar")).ToContainTextAsync("Assigned 2 free address(es): Dana → 203.0.113.4, Eli → 203.0.113.5");
        await Expect(table.Locator("tr", new() { HasText = "Dana" })).ToContainTextAsync("203.0.113.4");
        await Expect(table.Locator("tr", new() { HasText = "Eli" })).ToContainTextAsync("203.0.113.5");
        await Expect(browser.Page.GetByTestId("bulk-assign")).ToHaveCountAsync(0);
        await browser.ShotAsync("assigned");

        await browser.OpenAsync("/apply", "Preview & apply");
        var words = browser.Page.GetByTestId("preview-words");
        await Expect(words).ToContainTextAsync($"Dana → {JourneyRouter.EndpointName}: leaves from 203.0.113.4");
        await Expect(words).ToContainTextAsync($"Eli → {JourneyRouter.EndpointName}: leaves from 203.0.113.5");
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }
}
