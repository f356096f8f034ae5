using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// The user's main journey with the keyboard alone: every control is reached with Tab, shows where the focus is, and is
/// operated with Enter. Pages are reached by their address, as a keyboard user types it.
/// </summary>
public sealed class KeyboardJourneySpecs
{
    [BrowserFact]
    public async Task Assign_a_free_address_apply_and_roll_back_with_the_keyboard_only()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(Assign_a_free_address_apply_and_roll_back_with_the_keyboard_only));
        var (browser, lab) = (router.Browser, router.Lab);
        var page = browser.Page;

        await page.GotoAsync("/account/login");
        await TabToAsync(page, page.Locator("#username"));
        await page.Keyboard.TypeAsync("admin");
        await TabToAsync(page, page.Locator("#password"));
        await page.Keyboard.TypeAsync(TestConsole.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal));

        // Every page opens with the focus on its heading, inside the main region, past the app bar and the navigation;
        // the skip link at the very top (the first stop of Shift+Tab's way back) goes there too.
        await browser.OpenAsync("/", "Dashboard");
        await Expect(page.Locator("main h1")).ToBeFocusedAsync();
        await ShiftTabToAsync(page, page.GetByText("Skip to main content"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main")).ToBeFocusedAsync();

        await browser.OpenAsync("/clients/new", "New client");
        await TabToAsync(page, page.Locator("#client-name"));
        await page.Keyboard.TypeAsync("Dana");
        await TabToAsync(page, page.Locator("#client-lan-address"));
        await page.Keyboard.TypeAsync(lab.Clients[2].Address.ToString());
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dana");

        await TabToAsync(page, page.GetByTestId("assign-free"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("assigned-address")).ToHaveTextAsync("203.0.113.4");

        await browser.OpenAsync("/apply", "Preview & apply");
        await TabToAsync(page, page.Locator("#apply-reason"));
        await page.Keyboard.TypeAsync("Dana joins, from the keyboard");
        await TabToAsync(page, page.GetByTestId("apply-button"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("apply-result")).ToContainTextAsync("Applied as revision 2");
        await browser.ShotAsync("applied-by-keyboard");

        await browser.OpenAsync("/history/1", "Revision 1");
        await TabToAsync(page, page.GetByTestId("rollback-to"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToContainTextAsync("Roll back to revision 1");
        await TabToAsync(page, page.Locator("#rollback-reason"));
        await page.Keyboard.TypeAsync("undo Dana, from the keyboard");
        await TabToAsync(page, page.GetByTestId("rollback-button"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("apply-result")).ToContainTextAsync("Rolled back to revision 1");
        await browser.ShotAsync("rolled-back-by-keyboard");

        Assert.DoesNotContain((lab.Clients[2].Address, NetnsLab.ExternalAlias(3)), await RouterSnapshot.MappingsAsync(lab, "Iptables"));
        Assert.Equal(2, (await RouterSnapshot.MappingsAsync(lab, "Iptables")).Count);
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }

    /// <summary>Presses Tab until <paramref name="target"/> (or something inside it) has the focus, and checks it shows.</summary>
    private static async Task TabToAsync(IPage page, ILocator target, int most = 80)
    {
        for (var presses = 0; presses < most; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement || e.contains(document.activeElement)"))
            {
                await AssertFocusVisibleAsync(page);
                return;
            }
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"{most} presses of Tab never reached {target}; the focus is on {await DescribeFocusAsync(page)}.");
    }

    private static async Task ShiftTabToAsync(IPage page, ILocator target, int most = 80)
    {
        for (var presses = 0; presses < most; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                await AssertFocusVisibleAsync(page);
                return;
            }
            await page.Keyboard.PressAsync("Shift+Tab");
        }
        Assert.Fail($"{most} presses of Shift+Tab never reached {target}; the focus is on {await DescribeFocusAsync(page)}.");
    }

    /// <summary>The focused element draws an outline (or its field an underline/shadow): a keyboard user can see where they are.</summary>
    private static async Task AssertFocusVisibleAsync(IPage page)
    {
        var visible = await page.EvaluateAsync<bool>("""
            () => {
                const e = document.activeElement;
                const s = getComputedStyle(e);
                const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                const field = e.closest('.mud-input-control');
                const underlined = field !== null && field.querySelector('.mud-input.mud-input-underline, .mud-input-outlined') !== null;
                return outlined || underlined || s.boxShadow !== 'none';
            }
            """);
        Assert.True(visible, $"the focus on {await DescribeFocusAsync(page)} is not visible");
    }

    private static Task<string> DescribeFocusAsync(IPage page) =>
        page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.outerHTML.slice(0, 160); }");
}
