using Bunit;
using RouterAdmin.Components.Pages;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>An endpoint's page shows its capacity (addresses in use of all) and who holds which address towards it.</summary>
public sealed class EndpointPageSpecs : PageSpecs
{
    [Fact]
    public async Task The_endpoint_page_shows_capacity_and_who_holds_which_address()
    {
        SignInAsAdmin();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var other = await AddEndpointAsync("Other VPN", "198.51.100.20");
        await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.11");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(bob, vpn, Support.Actors.Admin, Ct);
        await Assignments.AssignFreeAsync(alice, other, Support.Actors.Admin, Ct); // another endpoint: not counted here

        var cut = Render<EndpointPage>(ps => ps.Add(p => p.Id, vpn));

        cut.WaitForAssertion(() => Assert.Contains("2 of 3 external addresses in use", cut.Markup));
        Assert.Equal("Contivity", cut.Find("h1").TextContent.Trim());
        var rows = cut.FindAll("[data-testid=holders] tbody tr").Select(r => r.TextContent).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Contains("203.0.113.9", rows[0]);
        Assert.Contains("Alice", rows[0]);
        Assert.Contains("192.168.1.2", rows[0]);
        Assert.Contains("203.0.113.10", rows[1]);
        Assert.Contains("Bob", rows[1]);
        Assert.Contains("203.0.113.11", rows[2]);
        Assert.Contains("free", rows[2]);
        Assert.Equal($"/clients/{alice}", cut.Find("[data-testid=holders] tbody tr a").GetAttribute("href"));
        // One address left is the default warning threshold: the only alert is that warning, not "every address is taken".
        Assert.Equal("pool-low", Assert.Single(cut.FindAll(".mud-alert")).GetAttribute("data-testid"));
    }

    [Fact]
    public async Task A_full_endpoint_says_every_address_is_taken_and_disables_assigning()
    {
        SignInAsAdmin();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);

        var cut = Render<EndpointPage>(ps => ps.Add(p => p.Id, vpn));

        cut.WaitForAssertion(() => Assert.Contains("1 of 1 external addresses in use", cut.Markup));
        Assert.Contains("Every external address already serves a client towards Contivity.", cut.Find(".mud-alert").TextContent);
        Assert.True(cut.Find("[data-testid=assign-client]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_endpoint_with_as_few_free_addresses_as_the_threshold_warns_and_links_to_adding_one()
    {
        SignInAsAdmin();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);

        var cut = Render<EndpointPage>(ps => ps.Add(p => p.Id, vpn));

        cut.WaitForAssertion(() => Assert.Contains("Only 1 external address is still free towards Contivity", cut.Find("[data-testid=pool-low]").TextContent));
        Assert.Equal("/external-addresses?add=1", cut.Find("[data-testid=pool-low] a").GetAttribute("href"));
        Assert.False(cut.Find("[data-testid=assign-client]").HasAttribute("disabled"));
    }

    [Fact]
    public void An_endpoint_that_no_longer_exists_says_so()
    {
        SignInAsAdmin();

        var cut = Render<EndpointPage>(ps => ps.Add(p => p.Id, 999));

        cut.WaitForAssertion(() => Assert.Contains("This VPN endpoint does not exist (any more).", cut.Markup));
    }
}
