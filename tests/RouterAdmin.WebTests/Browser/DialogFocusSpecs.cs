using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// A dialog opened from the keyboard takes the focus, keeps it while open (Tab and Shift+Tab go round inside it, never
/// to the page behind), and gives it back to the control that opened it when it closes, so a keyboard user goes on
/// where they were.
/// </summary>
public sealed class DialogFocusSpecs
{
    private const string FocusInsideDialog = "() => document.activeElement?.closest('[role=dialog]') !== null";

    [BrowserFact]
    public async Task A_dialog_traps_the_focus_while_open_and_returns_it_to_its_button_when_closed()
    {
        await using var router = await JourneyRouter.StartAsync(nameof(A_dialog_traps_the_focus_while_open_and_returns_it_to_its_button_when_closed));
        var browser = router.Browser;
        var page = browser.Page;
        await browser.SignInAsync("admin", TestConsole.AdminPassword);
        await browser.OpenAsync("/endpoints", "VPN endpoints");
        // A form dialog (add an endpoint) and the confirmation every deletion asks for (cancelled: nothing is deleted).
        var openers = new[]
        {
            (page.GetByTestId("add-endpoint"), "Escape"),
            (page.GetByTestId("add-endpoint"), "Cancel"),
            (page.GetByRole(AriaRole.Button, new() { Name = $"Delete {JourneyRouter.EndpointName}" }), "Escape"),
            (page.GetByRole(AriaRole.Button, new() { Name = $"Delete {JourneyRouter.EndpointName}" }), "Cancel"),
        };

        foreach (var (opener, close) in openers)
        {
            await opener.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToBeVisibleAsync();
            await Eventually.UntilAsync(() => page.EvaluateAsync<bool>(FocusInsideDialog), "the dialog took the focus");

            foreach (var key in new[] { "Tab", "Shift+Tab" })
            {
                for (var press = 0; press < 12; press++)
                {
                    await page.Keyboard.PressAsync(key);
                    // MudBlazor's trap moves the focus back from its sentinel in script, a moment after the key: the
                    // focus must come to rest inside the dialog, never stay outside it.
                    await Eventually.UntilAsync(() => page.EvaluateAsync<bool>(FocusInsideDialog),
                        $"the focus back inside the open dialog after {press + 1} presses of {key}", TimeSpan.FromSeconds(3));
                }
            }
            if (close == "Escape")
            {
                await page.Keyboard.PressAsync("Escape");
            }
            else
            {
                await TabToAsync(page, dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }));
                await page.Keyboard.PressAsync("Enter");
            }

            await Expect(dialog).ToHaveCountAsync(0);
            await Expect(opener).ToBeFocusedAsync();
        }
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = JourneyRouter.EndpointName })).ToBeVisibleAsync();
        Assert.True(browser.Errors.Count == 0, "browser console errors:\n" + string.Join("\n", browser.Errors));
    }

    private static async Task TabToAsync(IPage page, ILocator target, int most = 20)
    {
        for (var presses = 0; presses < most; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"{most} presses of Tab never reached {target}.");
    }
}
