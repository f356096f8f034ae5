using Bunit;
using RouterAdmin.Components.Pages;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>The dashboard's pool warning: the endpoints at or below the threshold, fullest first, each linked.</summary>
public sealed class PoolWarningPageSpecs : PageSpecs
{
    [Fact]
    public async Task The_dashboard_names_the_endpoints_with_one_or_no_address_left_and_links_to_each()
    {
        SignInAsAdmin();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var full = await AddEndpointAsync("Contivity", "198.51.100.10");
        var low = await AddEndpointAsync("Branch VPN", "198.51.100.20");
        await AddEndpointAsync("Roomy VPN", "198.51.100.30");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
        await Assignments.AssignFreeAsync(alice, full, Support.Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(bob, full, Support.Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(alice, low, Support.Actors.Admin, Ct);

        var cut = Render<DashboardPoolWarning>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=pool-low]").Count));
        var items = cut.FindAll("[data-testid=pool-low]");
        Assert.Equal("Contivity: none free: the next client will be refused.", Normalize(items[0].TextContent));
        Assert.Equal($"/endpoints/{full}", items[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Branch VPN: 1 of 2 free.", Normalize(items[1].TextContent));
        Assert.DoesNotContain("Roomy", cut.Markup);
        Assert.Contains("error", cut.Find("[data-testid=pool-warning]").ClassName ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_figure_counts_every_address_less_those_held_towards_the_endpoint()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var other = await AddEndpointAsync("Other", "198.51.100.20");
        foreach (var n in new[] { 9, 10, 11 }) await AddExternalAsync($"203.0.113.{n}");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);

        var pools = await Inventory.Pools.ReadAsync(Ct);

        Assert.Equal([("Contivity", 3, 1, 2, false), ("Other", 3, 0, 3, false)], pools.Select(p => (p.Endpoint, p.Total, p.Used, p.Free, p.Low)));
        Assert.Equal(1, Inventory.Pools.WarningThreshold);
        Assert.Null(await Inventory.Pools.ForEndpointAsync(999, Ct));
        Assert.Equal(other, (await Inventory.Pools.ForEndpointAsync(other, Ct))!.EndpointId);
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
