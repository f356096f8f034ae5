using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// axe-core, the engine behind most accessibility audits, on every page of the console with an inventory in it, in
/// light and in dark mode: no serious or critical finding. And the landmarks a screen reader jumps between.
/// </summary>
public sealed class AccessibilitySpecs
{
    private static readonly string[] SeriousImpacts = ["serious", "critical"];

    [BrowserFact]
    public async Task Every_page_in_light_and_dark_mode_has_no_serious_or_critical_axe_violation()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Every_page_in_light_and_dark_mode_has_no_serious_or_critical_axe_violation));
        var browser = router.Browser;
        var console = router.Console;
        var pages = SignedInPages(console);
        var findings = new List<string>();

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await browser.Page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await browser.Page.GotoAsync("/account/login");
            await Expect(browser.Page.Locator("#username")).ToBeVisibleAsync();
            findings.AddRange(await AuditAsync(browser.Page, $"{scheme} /account/login"));
            await browser.SignInAsync("admin", TestConsole.AdminPassword);
            foreach (var path in pages)
            {
                await browser.OpenAsync(path);
                await Settled(browser.Page);
                findings.AddRange(await AuditAsync(browser.Page, $"{scheme} {path}"));
                if (path is "/" or "/apply" or "/clients") await browser.ShotAsync($"{scheme}{path.Replace('/', '-')}".ToLowerInvariant());
            }
            await browser.Context.ClearCookiesAsync();
        }

        Assert.True(findings.Count == 0, $"{findings.Count} serious or critical axe finding(s):\n" + string.Join("\n", findings));
    }

    [BrowserFact]
    public async Task On_a_390_pixel_phone_no_page_scrolls_sideways_and_tables_become_cards()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(On_a_390_pixel_phone_no_page_scrolls_sideways_and_tables_become_cards), width: 390, height: 844);
        var browser = router.Browser;
        await browser.SignInAsync("admin", TestConsole.AdminPassword);
        var wide = new List<string>();

        foreach (var path in SignedInPages(router.Console))
        {
            await browser.OpenAsync(path);
            await Settled(browser.Page);
            var widths = await browser.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            if (widths[0] > widths[1]) wide.Add($"{path}: {widths[0]} px wide in a {widths[1]} px window");
            if (path is "/clients" or "/" or "/history" or "/apply") await browser.ShotAsync($"phone{path.Replace('/', '-')}");
        }

        Assert.True(wide.Count == 0, "pages that scroll sideways on a phone:\n" + string.Join("\n", wide));
        await browser.OpenAsync("/clients");
        await Settled(browser.Page);
        // MudTable's small-screen layout: each row a card with its labels, no header row.
        await Expect(browser.Page.Locator("table thead").Locator("visible=true")).ToHaveCountAsync(0);
        await Expect(browser.Page.Locator("td[data-label]").First).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task The_layout_has_a_banner_a_navigation_and_one_main_region()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(The_layout_has_a_banner_a_navigation_and_one_main_region));
        var browser = router.Browser;
        await browser.SignInAsync("admin", TestConsole.AdminPassword);
        await browser.OpenAsync("/clients");

        await Expect(browser.Page.GetByRole(AriaRole.Banner)).ToHaveCountAsync(1);
        await Expect(browser.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToHaveCountAsync(1);
        await Expect(browser.Page.GetByRole(AriaRole.Main)).ToHaveCountAsync(1);
        await Expect(browser.Page.GetByRole(AriaRole.Main).Locator("h1")).ToHaveTextAsync("Clients");
    }

    private static string[] SignedInPages(TestConsole console) =>
    [
        "/", "/clients", $"/clients/{console.ClientIds[1]}", "/clients/new", "/external-addresses", "/endpoints",
        $"/endpoints/{console.EndpointId}", "/assignments", "/apply", "/history", "/history/1", "/history/1/rollback",
        "/settings", "/users", "/account/password",
    ];

    /// <summary>Tables fill in after the first render (server paging): audit what the user ends up seeing.</summary>
    private static async Task Settled(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(page.Locator(".mud-table-loading, .mud-progress-linear-indeterminate").Locator("visible=true")).ToHaveCountAsync(0);
    }

    private static async Task<IEnumerable<string>> AuditAsync(IPage page, string where)
    {
        await BrowserSession.TransitionsDoneAsync(page);
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => SeriousImpacts.Contains(v.Impact))
            .Select(v => $"{where}: {v.Id} ({v.Impact}) {v.Help}: " +
                string.Join(" | ", v.Nodes.Take(4).Select(n => $"{n.Target} {Why(n)}")));
    }

    private static string Why(Deque.AxeCore.Commons.AxeResultNode node) =>
        string.Join("; ", new[] { node.Any, node.All, node.None }.SelectMany(checks => checks ?? []).Select(c => c.Message).Distinct());
}
