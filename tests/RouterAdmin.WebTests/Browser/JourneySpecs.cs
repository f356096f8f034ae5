using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Inventory;
using RouterAdmin.TestSupport.Lab;
using RouterAdmin.Security;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// The user's three journeys, as a person does them, in headless Chromium, against the real console whose iptables
/// backend drives a lab router in network namespaces; ESP packets from the lab's clients prove the kernel's side.
/// </summary>
public sealed class JourneySpecs
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(4);

    [BrowserFact]
    public async Task Browse_sign_in_see_the_state_and_open_every_page_without_a_browser_error()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Browse_sign_in_see_the_state_and_open_every_page_without_a_browser_error));
        var browser = router.Browser;

        await browser.Page.GotoAsync("/clients");
        Assert.Contains("/account/login", browser.Page.Url);
        await browser.ShotAsync("sign-in");
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        await browser.OpenAsync("/", "Dashboard");
        await Expect(browser.Page.GetByTestId("sync-state")).ToContainTextAsync("In sync");
        await Expect(browser.Page.GetByTestId("counts")).ToContainTextAsync("2 clients · 2 assignments");
        await Expect(browser.Page.GetByTestId("backend-state")).ToContainTextAsync("iptables (nf_tables)");
        await Expect(browser.Page.GetByTestId("activity-table")).ToContainTextAsync("client1");
        await browser.ShotAsync("dashboard");

        foreach (var (path, heading) in new[]
        {
            ("/clients", "Clients"), ("/clients/new", "New client"), ("/clients/1", "client1"), ("/external-addresses", "External IPs"),
            ("/endpoints", "VPN endpoints"), ("/endpoints/1", JourneyRouter.EndpointName), ("/assignments", "Assignments"),
            ("/apply", "Preview & apply"), ("/history", "History"), ("/history/1", "Revision 1"), ("/history/1/rollback", "Roll back to revision 1"),
            ("/settings", "Settings"), ("/users", "Users"),
        })
        {
            await browser.OpenAsync(path, heading);
        }
        await browser.OpenAsync("/history/1", "Revision 1");
        await browser.ShotAsync("revision-details");
        await browser.OpenAsync("/history", "History");
        await browser.ShotAsync("history");

        // An administrator on a phone during an outage: nothing wider than the screen.
        await browser.Page.SetViewportSizeAsync(390, 844);
        foreach (var path in new[] { "/", "/clients", "/apply", "/history" })
        {
            await browser.OpenAsync(path);
            var overflow = await browser.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow}px wider than a phone's screen");
        }
        await browser.OpenAsync("/");
        await browser.ShotAsync("dashboard-phone");
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }

    [BrowserFact]
    public Task New_employee_add_a_client_assign_a_free_ip_preview_exactly_the_new_rule_apply_confirm_and_its_esp_arrives() =>
        NewEmployeeJourneyAsync("Iptables", nameof(New_employee_add_a_client_assign_a_free_ip_preview_exactly_the_new_rule_apply_confirm_and_its_esp_arrives),
            "-A ROUTERADMIN-SNAT -s 192.168.1.4/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Carol_s_laptop to Customer_Contivity\" -j SNAT --to-source 203.0.113.4");

    [BrowserFact]
    public Task The_new_employee_journey_on_the_nftables_backend_previews_one_new_map_element_and_her_esp_arrives() =>
        NewEmployeeJourneyAsync("Nftables", nameof(The_new_employee_journey_on_the_nftables_backend_previews_one_new_map_element_and_her_esp_arrives),
            "192.168.1.4 . 198.51.100.10 comment \"Carol_s_laptop to Customer_Contivity\" : 203.0.113.4");

    private static async Task NewEmployeeJourneyAsync(string backend, string journey, string addedLine)
    {
        // The README's screenshots come from the iptables run only.
        var docs = backend == "Iptables";
        await using var router = await JourneyRouter.StartAsync(journey, backend);
        var (browser, lab) = (router.Browser, router.Lab);
        var ct = TestContext.Current.CancellationToken;
        var receiver = await lab.StartEspReceiverAsync(ct);
        await using var flow1 = await lab.StartEspFlowAsync(lab.Clients[0], 0xA1, ct: ct);
        await using var flow2 = await lab.StartEspFlowAsync(lab.Clients[1], 0xA2, ct: ct);
        Assert.True(await receiver.WaitForAsync(p => p.Any(x => x.Spi == 0xA1) && p.Any(x => x.Spi == 0xA2), Arrival, ct));
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        // The new employee's machine, entered with the keyboard: Enter submits the form.
        await browser.OpenAsync("/clients/new", "New client");
        await browser.Page.FillAsync("#client-name", "Carol's laptop");
        await browser.Page.FillAsync("#client-lan-address", lab.Clients[2].Address.ToString());
        await browser.ShotAsync("new-client");
        await browser.Page.PressAsync("#client-lan-address", "Enter");
        await Expect(browser.Page.Locator("h1")).ToHaveTextAsync("Carol's laptop");

        await browser.Page.GetByTestId("assign-free").ClickAsync();
        await Expect(browser.Page.GetByTestId("assigned-address")).ToHaveTextAsync("203.0.113.4");
        // The navigation says the router no longer matches the inventory, before anything is applied.
        await Expect(browser.Page.GetByTestId("nav-pending")).ToBeVisibleAsync();
        await browser.ShotAsync("assigned");

        await browser.OpenAsync("/apply", "Preview & apply");
        var added = browser.Page.Locator(".diff-added");
        await Expect(added).ToHaveCountAsync(1);
        await Expect(added).ToContainTextAsync(addedLine);
        await Expect(browser.Page.Locator(".diff-removed")).ToHaveCountAsync(0);
        await browser.ShotAsync("preview", docsName: docs ? "preview" : null);

        await browser.Page.FillAsync("#apply-reason", "Carol joins the Contivity project");
        await browser.Page.GetByLabel("Roll back automatically unless I confirm within").CheckAsync();
        await browser.Page.GetByTestId("apply-button").ClickAsync();
        await Expect(browser.Page.GetByTestId("apply-result")).ToContainTextAsync("Applied as revision 2");
        await Expect(browser.Page.GetByTestId("confirm-banner")).ToBeVisibleAsync();
        await browser.ShotAsync("awaiting-confirmation");
        await browser.Page.GetByTestId("confirm-button").ClickAsync();
        await Expect(browser.Page.GetByTestId("confirm-banner")).ToHaveCountAsync(0);
        await Expect(browser.Page.GetByTestId("status-badge")).ToContainTextAsync("In sync");
        await Expect(browser.Page.GetByTestId("nav-pending")).ToHaveCountAsync(0);

        var appliedAt = (flow1.LastSequence, flow2.LastSequence);
        await using var flow3 = await lab.StartEspFlowAsync(lab.Clients[2], 0xA3, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xA3, 5, Arrival, ct), "Carol's ESP must arrive");
        Assert.Equal([NetnsLab.ExternalAlias(3)], receiver.SourcesFor(0xA3));
        Assert.True(await receiver.WaitForAsync(p => p.Any(x => x.Spi == 0xA1 && x.Sequence > appliedAt.Item1 + 5) && p.Any(x => x.Spi == 0xA2 && x.Sequence > appliedAt.Item2 + 5), Arrival, ct),
            "the other clients' ESP must keep flowing");
        // "Is Carol's VPN up?": the dashboard answers from the kernel's conntrack table while the three flows run.
        await browser.OpenAsync("/", "Dashboard");
        await Expect(browser.Page.GetByTestId("activity-table").Locator("tr", new() { HasText = "Carol's laptop" })).ToContainTextAsync("up");
        await browser.ShotAsync("dashboard", docsName: docs ? "dashboard" : null);
        await flow1.StopAsync();
        await flow2.StopAsync();
        foreach (var flow in new[] { flow1, flow2 })
        {
            Assert.True(await receiver.WaitForCountAsync(flow.Spi, (int)flow.LastSequence, Arrival, ct), $"SPI {flow.Spi:x} lost packets: {receiver.CountFor(flow.Spi)} of {flow.LastSequence}");
        }
        Assert.Equal([NetnsLab.ExternalAlias(1)], receiver.SourcesFor(0xA1));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0xA2));
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }

    [BrowserFact]
    public async Task Bad_change_reassign_to_a_wrong_address_apply_then_roll_back_from_history_and_the_right_address_is_back()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Bad_change_reassign_to_a_wrong_address_apply_then_roll_back_from_history_and_the_right_address_is_back));
        var (browser, lab) = (router.Browser, router.Lab);
        var ct = TestContext.Current.CancellationToken;
        var receiver = await lab.StartEspReceiverAsync(ct);
        var sender = await lab.OpenEspSenderAsync(lab.Clients[1], ct);
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        // The bad change: client2 moved to .5 by mistake, chosen from the free addresses in a dialog.
        await browser.OpenAsync("/clients/2", "client2");
        await browser.Page.GetByTestId("change-address").ClickAsync();
        var dialog = browser.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Only addresses no other client uses");
        await dialog.Locator("div.mud-select").First.ClickAsync();
        await browser.Page.GetByRole(AriaRole.Option, new() { Name = "203.0.113.5 (wan)" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this address" }).ClickAsync();
        await Expect(browser.Page.GetByTestId("assigned-address")).ToHaveTextAsync("203.0.113.5");
        await browser.OpenAsync("/apply", "Preview & apply");
        await Expect(browser.Page.Locator(".diff-removed")).ToContainTextAsync("--to-source 203.0.113.3");
        await Expect(browser.Page.Locator(".diff-added")).ToContainTextAsync("--to-source 203.0.113.5");
        await browser.Page.FillAsync("#apply-reason", "move client2");
        await browser.Page.GetByTestId("apply-button").ClickAsync();
        await Expect(browser.Page.GetByTestId("apply-result")).ToContainTextAsync("Applied as revision 2");

        await sender.SendAsync(NetnsLab.VpnServer, 0xB2, 5, TimeSpan.FromMilliseconds(5), ct);
        Assert.True(await receiver.WaitForCountAsync(0xB2, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(4)], receiver.SourcesFor(0xB2));

        // The way back: from the history, the good revision, previewed, then rolled back to.
        await browser.OpenAsync("/history", "History");
        await browser.Page.GetByRole(AriaRole.Link, new() { Name = "1", Exact = true }).ClickAsync();
        await Expect(browser.Page.Locator("h1")).ToHaveTextAsync("Revision 1");
        await browser.Page.GetByTestId("rollback-to").ClickAsync();
        await Expect(browser.Page.Locator("h1")).ToHaveTextAsync("Roll back to revision 1");
        await Expect(browser.Page.GetByTestId("inventory-changes")).ToContainTextAsync("203.0.113.5 → 203.0.113.3");
        await Expect(browser.Page.Locator(".diff-added")).ToContainTextAsync("--to-source 203.0.113.3");
        await browser.ShotAsync("rollback-preview");
        await browser.Page.FillAsync("#rollback-reason", "client2 must leave from .3");
        await browser.Page.GetByTestId("rollback-button").ClickAsync();
        await Expect(browser.Page.GetByTestId("apply-result")).ToContainTextAsync("Rolled back to revision 1");
        await browser.ShotAsync("rolled-back");

        receiver.Clear();
        await sender.SendAsync(NetnsLab.VpnServer, 0xB2, 5, TimeSpan.FromMilliseconds(5), ct);
        Assert.True(await receiver.WaitForCountAsync(0xB2, 5, Arrival, ct));
        Assert.Equal([NetnsLab.ExternalAlias(2)], receiver.SourcesFor(0xB2));
        await browser.OpenAsync("/clients/2", "client2");
        await Expect(browser.Page.GetByTestId("assigned-address")).ToHaveTextAsync("203.0.113.3");
        await browser.OpenAsync("/history", "History");
        await Expect(browser.Page.GetByTestId("revisions-table")).ToContainTextAsync("rollback to #1");
        await browser.ShotAsync("history", docsName: "history");
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }

    [BrowserFact]
    public async Task Dialogs_work_from_the_keyboard_and_deleting_names_what_goes_with_it()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Dialogs_work_from_the_keyboard_and_deleting_names_what_goes_with_it));
        var browser = router.Browser;
        await browser.SignInAsync("admin", TestConsole.AdminPassword);

        await browser.OpenAsync("/endpoints", "VPN endpoints");
        await browser.Page.GetByTestId("add-endpoint").ClickAsync();
        await Expect(browser.Page.Locator("#endpoint-name")).ToBeFocusedAsync();
        await browser.Page.Keyboard.TypeAsync("Second site");
        await browser.Page.Keyboard.PressAsync("Tab");
        await browser.Page.Keyboard.TypeAsync("198.51.100.7/24");
        await browser.Page.Keyboard.PressAsync("Enter");
        await Expect(browser.Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("host bits set");
        await browser.ShotAsync("endpoint-error");
        await browser.Page.Keyboard.PressAsync("Escape");
        await Expect(browser.Page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        await browser.OpenAsync("/clients/1", "client1");
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(browser.Page.GetByTestId("consequences")).ToContainTextAsync($"client1 → {JourneyRouter.EndpointName} via 203.0.113.2");
        await browser.ShotAsync("delete-confirmation");
        await browser.Page.Keyboard.PressAsync("Escape");
        await Expect(browser.Page.Locator("h1")).ToHaveTextAsync("client1");
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }
}

/// <summary>A lab router, the console driving it (iptables backend unless told, fresh SQLite), its story seeded and applied, and a browser.</summary>
internal sealed class JourneyRouter : IAsyncDisposable
{
    public const string EndpointName = TestConsole.EndpointName;

    private JourneyRouter(NetnsLab lab, TestConsole console, BrowserSession browser) => (Lab, Console, Browser) = (lab, console, browser);

    public NetnsLab Lab { get; }
    public TestConsole Console { get; }
    public BrowserSession Browser { get; }

    public static async Task<JourneyRouter> StartAsync(string journey, string backend = "Iptables", int width = 1280, int height = 860)
    {
        var lab = await NetnsLab.CreateAsync(ct: TestContext.Current.CancellationToken);
        TestConsole? console = null;
        try
        {
            console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Web = true });
            await SeedAsync(console);
            return new JourneyRouter(lab, console, await BrowserSession.StartAsync(console.Address, journey, width, height));
        }
        catch
        {
            if (console is not null) await console.DisposeAsync();
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The story so far: two VPN users with their own addresses, applied as revision 1.</summary>
    private static async Task SeedAsync(TestConsole console)
    {
        var admin = await console.CreateUserAsync(TestConsole.Admin.Name, UserRole.Admin);
        await console.SeedStoryAsync(by: admin, clients: 2);
        foreach (var number in console.ClientIds.Keys.Order())
            await console.Assignments.AssignFreeAsync(console.ClientIds[number], console.EndpointId, admin);
        var (_, result) = await console.PreviewAndApplyAsync("two VPN users", by: admin);
        if (!result.Succeeded) throw new InvalidOperationException(result.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Console.DisposeAsync();
        await Lab.DisposeAsync();
    }
}
