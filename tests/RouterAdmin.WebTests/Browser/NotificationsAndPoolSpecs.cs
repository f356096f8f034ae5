using Microsoft.Playwright;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// In a real browser: the dashboard's pool warning and drift-repair line, the endpoint's low-pool warning, and an
/// administrator saving a webhook on the Settings page and sending a test that a receiver on loopback gets.
/// </summary>
public sealed class NotificationsAndPoolSpecs
{
    [BrowserFact]
    public async Task The_pool_warning_and_a_repaired_drift_show_and_a_test_webhook_is_sent_from_the_settings_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var receiver = new WebhookReceiver();
        // Repair on an hourly tick: the spec makes the one check itself, so nothing races the screenshots.
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp()
            .With("RouterAdmin:Drift:Policy", "Repair").With("RouterAdmin:Drift:CheckInterval", "01:00:00"));
        await console.CreateUserAsync("admin", UserRole.Admin);
        var admin = TestConsole.Admin;
        var alice = await console.Clients.CreateAsync(new ClientDraft { Name = "Alice", LanAddress = "192.168.1.2" }, admin, ct);
        var vpn = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "Customer Contivity", Destination = "198.51.100.10" }, admin, ct);
        foreach (var address in new[] { "203.0.113.2", "203.0.113.3" })
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = address, Interface = "eth1", PrefixLength = 24 }, admin, ct);
        await console.Assignments.AssignFreeAsync(alice, vpn, admin, ct);
        await console.PreviewAndApplyAsync("Alice");
        // Someone removes the owned chain behind the console's back; the check repairs it.
        await console.Get<IIptablesHost>().RestoreAsync(RestoreScriptWriter.Write(OwnedState.Nothing, (await console.ReadKernelAsync()).Owned), ct);
        Assert.False((await console.Get<DriftRepair>().CheckAsync(ct)).Drifted);

        await using var browser = await BrowserSession.StartAsync(console.Address, "notifications");
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        await browser.OpenAsync("/", "Dashboard");
        await Assertions.Expect(browser.Page.GetByTestId("pool-low")).ToContainTextAsync("Customer Contivity: 1 of 2 free.");
        await Assertions.Expect(browser.Page.GetByTestId("drift-repaired")).ToContainTextAsync("1 time(s) since start");
        await browser.ShotAsync("dashboard-pool-and-repair");

        await browser.OpenAsync($"/endpoints/{vpn}", "Customer Contivity");
        await Assertions.Expect(browser.Page.GetByTestId("pool-low")).ToContainTextAsync("Only 1 external address is still free");
        await browser.ShotAsync("endpoint-pool-low");

        await browser.OpenAsync("/settings", "Settings");
        await browser.Page.GetByText("Webhook (JSON POST)").ClickAsync();
        await browser.Page.Locator("#webhook-url").FillAsync(receiver.Address.ToString());
        await browser.Page.Locator("#webhook-secret").FillAsync("a-shared-secret-of-32-characters");
        await browser.Page.GetByTestId("save-notifications").ClickAsync();
        await Assertions.Expect(browser.Page.GetByText("A secret is set; leave empty to keep it.")).ToBeVisibleAsync();
        await browser.Page.GetByTestId("test-webhook").ClickAsync();
        await Assertions.Expect(browser.Page.GetByTestId("test-result")).ToHaveTextAsync("The test webhook was delivered.");
        await browser.ShotAsync("settings-notifications");

        Assert.Contains(receiver.Calls, c => c.Body.Contains("\"kind\":\"test\"", StringComparison.Ordinal));
        Assert.DoesNotContain("a-shared-secret-of-32-characters", await browser.Page.ContentAsync());
        Assert.Empty(browser.Errors);
    }
}
