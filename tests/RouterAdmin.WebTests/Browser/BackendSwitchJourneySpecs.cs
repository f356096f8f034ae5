using RouterAdmin.Security;
using RouterAdmin.TestSupport.Lab;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// The administrator restarts the console with the nftables backend on a router its iptables backend set up: the
/// dashboard says a switch is pending (not drift), the preview says what is handed over, and one apply moves both
/// users' mappings into the nftables table and removes the old chains.
/// </summary>
public sealed class BackendSwitchJourneySpecs
{
    [BrowserFact]
    public async Task After_a_restart_on_nftables_the_dashboard_shows_the_pending_switch_and_one_apply_hands_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        var directory = Directory.CreateTempSubdirectory("routeradmin-switch-journey-").FullName;
        try
        {
            await using (var before = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Iptables") with { Directory = directory }))
            {
                var admin = await before.CreateUserAsync(TestConsole.Admin.Name, UserRole.Admin);
                await before.SeedStoryAsync(by: admin, clients: 2);
                await before.AssignAsync(1, 1);
                await before.AssignAsync(2, 2);
                var (_, applied) = await before.PreviewAndApplyAsync("two users on iptables", by: admin);
                Assert.True(applied.Succeeded, applied.Message);
            }
            var mappings = await RouterSnapshot.MappingsAsync(lab, "Iptables");
            Assert.Equal(2, mappings.Count);

            await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, "Nftables") with { Web = true, Directory = directory });
            await using var browser = await BrowserSession.StartAsync(console.Address, nameof(After_a_restart_on_nftables_the_dashboard_shows_the_pending_switch_and_one_apply_hands_over));
            await browser.SignInAsync("admin", TestConsole.AdminPassword);

            await browser.OpenAsync("/", "Dashboard");
            var state = browser.Page.GetByTestId("sync-state");
            await Expect(state).ToContainTextAsync("Pending switch of backend");
            await Expect(browser.Page.GetByTestId("pending-switch"))
                .ToContainTextAsync("left by the iptables backend: will be removed after the nftables table is installed");
            await Expect(browser.Page.GetByTestId("backend-state")).ToContainTextAsync("nftables");
            await browser.ShotAsync("pending-switch");

            await browser.Page.GetByTestId("pending-switch").GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Preview and apply" }).ClickAsync();
            await Expect(browser.Page.Locator("h1")).ToHaveTextAsync("Preview & apply");
            await Expect(browser.Page.GetByTestId("preview-handover")).ToContainTextAsync("left by the iptables backend");
            await browser.Page.Locator("#apply-reason").FillAsync("switch to nftables");
            await browser.Page.GetByTestId("apply-button").ClickAsync();
            await Expect(browser.Page.GetByTestId("apply-result")).ToContainTextAsync("Applied as revision 2");
            await browser.ShotAsync("switched");

            Assert.Equal(mappings, await RouterSnapshot.MappingsAsync(lab, "Nftables"));
            Assert.Equal("", await RouterSnapshot.OwnedRulesAsync(lab, "Iptables"));
            await browser.OpenAsync("/", "Dashboard");
            await Expect(state).ToContainTextAsync("In sync");
            Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
