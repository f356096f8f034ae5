using Microsoft.Playwright;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Browser;

/// <summary>The Settings page's backup download in a real browser: an administrator gets the file, a viewer no button.</summary>
public sealed class BackupDownloadSpecs
{
    [BrowserFact]
    public async Task An_administrator_downloads_a_backup_from_the_settings_page_and_a_viewer_sees_no_such_button()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("viewer", UserRole.Viewer);

        await using (var browser = await BrowserSession.StartAsync(console.Address, "backup"))
        {
            await browser.SignInAsync("admin", TestConsole.AdminPassword);
            await browser.OpenAsync("/settings", "Settings");
            await Assertions.Expect(browser.Page.GetByTestId("download-backup")).ToBeVisibleAsync();
            await browser.ShotAsync("settings-backup");

            var download = await browser.Page.RunAndWaitForDownloadAsync(() => browser.Page.GetByTestId("download-backup").ClickAsync());
            var file = Path.Combine(console.Directory, "downloaded.db");
            await download.SaveAsAsync(file);

            Assert.Matches(@"^routeradmin-\d{8}-\d{6}\.db$", download.SuggestedFilename);
            var header = new byte[16];
            await using (var stream = File.OpenRead(file))
                await stream.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
            Assert.Equal("SQLite format 3\0", System.Text.Encoding.ASCII.GetString(header));
            // Still on the Settings page: the link was a download, not a navigation.
            Assert.EndsWith("/settings", browser.Page.Url);
            Assert.Empty(browser.Errors);
        }

        await using (var browser = await BrowserSession.StartAsync(console.Address, "backup-viewer"))
        {
            await browser.SignInAsync("viewer", TestConsole.AdminPassword);
            await browser.OpenAsync("/settings", "Settings");
            await Assertions.Expect(browser.Page.GetByTestId("download-backup")).ToHaveCountAsync(0);
            Assert.Empty(browser.Errors);
        }
    }
}
