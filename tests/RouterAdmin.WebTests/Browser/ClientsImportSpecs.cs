using Microsoft.Playwright;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>The Clients page's upload: a file, its preview line by line, then the import in one change.</summary>
public sealed class ClientsImportSpecs
{
    [BrowserFact]
    public async Task Uploading_employees_shows_what_will_be_created_and_what_is_refused_then_confirming_imports_the_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.Endpoints.CreateAsync(new EndpointDraft { Name = "North", Destination = "198.51.100.10" }, TestConsole.Admin, ct);
        foreach (var address in new[] { "203.0.113.10", "203.0.113.11" })
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = address, Interface = "eth1" }, TestConsole.Admin, ct);
        var file = Path.Combine(console.Directory, "employees.csv");
        await File.WriteAllTextAsync(file, "name,lan_address,mac,notes,endpoints\nAnn O'Neil,192.168.1.10,,second floor,North\nBen,192.168.1.11,,,North\nCleo,192.168.1.300,,,North\n", ct);
        await using var browser = await BrowserSession.StartAsync(console.Address, nameof(Uploading_employees_shows_what_will_be_created_and_what_is_refused_then_confirming_imports_the_rest));
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        await browser.OpenAsync("/clients", "Clients");
        await browser.Page.GetByTestId("clients-file").SetInputFilesAsync(file);

        var preview = browser.Page.GetByTestId("import-preview");
        await Expect(preview).ToContainTextAsync("2 client(s) with 2 assignment(s) will be created; 1 line(s) refused");
        await Expect(browser.Page.GetByTestId("import-creates")).ToContainTextAsync("Client Ann O'Neil (192.168.1.10); → North from 203.0.113.10 (free)");
        await Expect(browser.Page.GetByTestId("import-refused")).ToContainTextAsync("line 4");
        await Expect(browser.Page.GetByTestId("import-refused")).ToContainTextAsync("\"192.168.1.300\" is not an IPv4 address");
        Assert.Equal(0, (await console.Store.CountAsync(ct)).Clients);
        await browser.ShotAsync("preview");

        await browser.Page.GetByTestId("import-confirm").ClickAsync();

        await Expect(browser.Page.Locator(".mud-snackbar")).ToContainTextAsync("Imported 2 client(s) with 2 assignment(s) from employees.csv");
        var table = browser.Page.GetByTestId("clients-table");
        await Expect(table.Locator("tr", new() { HasText = "Ann O'Neil" })).ToContainTextAsync("North → 203.0.113.10");
        await Expect(table.Locator("tr", new() { HasText = "Ben" })).ToContainTextAsync("North → 203.0.113.11");
        await Expect(preview).ToHaveCountAsync(0);
        await browser.ShotAsync("imported");
        Assert.Equal((2, 2), ((await console.Store.CountAsync(ct)).Clients, (await console.Store.CountAsync(ct)).Assignments));
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }
}
