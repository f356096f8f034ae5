using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using static Microsoft.Playwright.Assertions;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// The dashboard's VPN users in a real browser, on the simulated router with what a real one would count: one host
/// dropped, one client at risk, one host seen only by its IKE; their MACs and names; the Settings switch that turns the
/// watch on. The README's pictures of both come from here.
/// </summary>
public sealed class VpnUsersPanelSpecs
{
    private sealed class Neighbours : INeighbourTable
    {
        public Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Neighbour>>(
        [
            new(IPAddress.Parse("192.168.1.2"), "br0", "52:54:00:3a:61:07"),
            new(IPAddress.Parse("192.168.1.23"), "br0", "5e:49:36:ba:89:ec"),
            new(IPAddress.Parse("192.168.1.31"), "br0", "92:46:23:6f:d5:0f"),
        ]);
    }

    [BrowserFact]
    public async Task A_dropped_an_at_risk_and_an_ike_only_user_are_shown_with_their_macs_and_names_and_pass_the_accessibility_audit()
    {
        var ct = TestContext.Current.CancellationToken;
        var leases = Path.Combine(Path.GetTempPath(), $"routeradmin-leases-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(leases, "1764687600 5e:49:36:ba:89:ec 192.168.1.23 bob-thinkpad *\n1764687600 92:46:23:6f:d5:0f 192.168.1.31 * *\n", ct);
        try
        {
            await using var console = await TestConsole.StartAsync((ConsoleSetup.WebApp() with
            {
                Sabotage = true,
                Services = s => s.AddSingleton<INeighbourTable>(new Neighbours()),
            }).With("RouterAdmin:Detection:CheckInterval", "00:00:00").With("RouterAdmin:Detection:LeasesFile", leases));
            await console.CreateUserAsync("admin", UserRole.Admin);
            var admin = TestConsole.Admin;
            await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "192.168.1.0/24", WatchVpnUsers = true }, admin, ct);
            await console.Clients.CreateAsync(new ClientDraft { Name = "Alice", LanAddress = "192.168.1.2" }, admin, ct);
            await console.Endpoints.CreateAsync(new EndpointDraft { Name = "Customer Contivity", Destination = "198.51.100.10" }, admin, ct);
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.2", Interface = "eth1", PrefixLength = 24 }, admin, ct);
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.3", Interface = "eth1", PrefixLength = 24 }, admin, ct);
            Assert.True((await console.PreviewAndApplyAsync("watch for dropped VPN users")).Result.Succeeded);

            // Alice's ESP holds the masquerade address's mapping; Bob's is counted and never confirmed; .31 has only begun IKE.
            console.Kernel.LiveFlows =
            [
                new ConntrackEntry("esp", "192.168.1.2", "198.51.100.10", "198.51.100.10", "203.0.113.1", 599),
                new ConntrackEntry("udp", "192.168.1.31", "198.51.100.10", "198.51.100.10", "203.0.113.1", 29, 500, 500, 173),
            ];
            console.Get<SimulatedVpnWatchTable>().Counted =
                [new(IPAddress.Parse("192.168.1.2"), IPAddress.Parse("198.51.100.10"), 1), new(IPAddress.Parse("192.168.1.23"), IPAddress.Parse("198.51.100.10"), 148)];
            await console.Get<VpnUserWatcher>().CheckAsync(ct);

            await using var browser = await BrowserSession.StartAsync(console.Address, "vpn-users");
            await browser.SignInAsync("admin", TestConsole.AdminPassword);
            await browser.OpenAsync("/", "Dashboard");
            var panel = browser.Page.GetByTestId("vpn-users");
            await Expect(browser.Page.GetByTestId("dropped-alert")).ToContainTextAsync("1 VPN user cannot connect now");
            var rows = panel.Locator("tbody tr");
            await Expect(rows).ToHaveCountAsync(3);
            await Expect(rows.Nth(0)).ToContainTextAsync("dropped now");
            await Expect(rows.Nth(0)).ToContainTextAsync("bob-thinkpad");
            await Expect(rows.Nth(0)).ToContainTextAsync("5e:49:36:ba:89:ec");
            await Expect(rows.Nth(1)).ToContainTextAsync("Alice");
            await Expect(rows.Nth(1)).ToContainTextAsync("52:54:00:3a:61:07");
            await Expect(rows.Nth(2)).ToContainTextAsync("IKE only, no ESP yet");
            await Expect(rows.Nth(2)).ToContainTextAsync("203.0.113.1:173");
            await Expect(browser.Page.GetByTestId("fix-192.168.1.23")).ToBeVisibleAsync();

            Assert.Empty(await SeriousFindingsAsync(browser.Page));
            await browser.ShotAsync("dashboard", docsName: "vpn-users");
            await browser.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
            await browser.OpenAsync("/", "Dashboard");
            await Expect(rows).ToHaveCountAsync(3);
            var dark = await SeriousFindingsAsync(browser.Page);
            await browser.ShotAsync("dashboard-dark");
            Assert.True(dark.Count == 0, string.Join("\n", dark));
            await browser.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

            await browser.OpenAsync("/settings", "Settings");
            await Expect(browser.Page.GetByRole(AriaRole.Switch, new() { Name = "Watch for VPN users the kernel drops", Exact = false })).ToBeCheckedAsync();
            await browser.ShotAsync("settings", docsName: "settings-watch");

            await browser.Page.SetViewportSizeAsync(390, 844);
            await browser.OpenAsync("/", "Dashboard");
            await Expect(rows).ToHaveCountAsync(3);
            var widths = await browser.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
            Assert.True(widths[0] <= widths[1], $"the dashboard is {widths[0]} px wide in a {widths[1]} px window");
            await browser.ShotAsync("phone-dashboard");
            Assert.Empty(browser.Errors);
        }
        finally
        {
            File.Delete(leases);
        }
    }

    private static async Task<IReadOnlyList<string>> SeriousFindingsAsync(IPage page)
    {
        await BrowserSession.TransitionsDoneAsync(page);
        return [.. (await page.RunAxe()).Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help}: " + string.Join(" | ", v.Nodes.Take(6).Select(n => $"{n.Target} {string.Join("; ", (n.Any ?? []).Select(c => c.Message))}")))];
    }
}
