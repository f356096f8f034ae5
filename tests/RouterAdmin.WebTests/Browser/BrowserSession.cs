using Microsoft.Playwright;
using Xunit;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// Headless Chromium on one page, recording every console error and page error, and saving screenshots of the key
/// steps under artifacts/screenshots (and, when ROUTERADMIN_UPDATE_DOCS=1, the README's under docs/screenshots).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _journey;
    private int _shots;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page, Uri address, string journey)
    {
        (_playwright, _browser, Context, Page, Address, _journey) = (playwright, browser, context, page, address, journey);
        Page.Console += (_, message) => { if (message.Type == "error") Errors.Add($"console: {message.Text}"); };
        Page.PageError += (_, error) => Errors.Add($"page: {error}");
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public Uri Address { get; }

    /// <summary>Everything the browser reported as an error; a journey ends by asserting this is empty.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<BrowserSession> StartAsync(Uri address, string journey, int width = 1280, int height = 860)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserRequirements.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = address.ToString() });
        context.SetDefaultTimeout(15_000);
        return new BrowserSession(playwright, browser, context, await context.NewPageAsync(), address, journey);
    }

    /// <summary>Goes to a page and waits until its heading is on screen: the circuit is up and the page interactive.</summary>
    public async Task OpenAsync(string path, string? heading = null)
    {
        await Page.GotoAsync(path);
        var h1 = Page.Locator("h1").First;
        await h1.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        if (heading is not null) await Assertions.Expect(h1).ToContainTextAsync(heading);
    }

    public async Task SignInAsync(string user, string password)
    {
        await Page.GotoAsync("/account/login");
        await Page.FillAsync("#username", user);
        await Page.FillAsync("#password", password);
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal));
        await Page.Locator("h1").First.WaitForAsync();
    }

    /// <summary>
    /// Waits until no CSS transition is running: a colour audited while the theme's colours are still fading (light to
    /// dark) is a colour nobody sees once it has settled. Infinite animations (a spinner) are not transitions.
    /// </summary>
    public static Task TransitionsDoneAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')");

    public async Task ShotAsync(string name, string? docsName = null)
    {
        await Page.WaitForTimeoutAsync(250); // let MudBlazor's transitions settle so the picture shows the end state
        var directory = Path.Combine(RepositoryRoot, "artifacts", "screenshots", _journey);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{++_shots:00}-{name}.png");
        await Page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.Current.AddAttachment($"{_journey}/{_shots:00}-{name}", file);
        if (docsName is not null && Environment.GetEnvironmentVariable("ROUTERADMIN_UPDATE_DOCS") == "1")
            File.Copy(file, Path.Combine(RepositoryRoot, "docs", "screenshots", docsName + ".png"), overwrite: true);
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "RouterAdmin.sln"))) return d.FullName;
            return Directory.GetCurrentDirectory();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
