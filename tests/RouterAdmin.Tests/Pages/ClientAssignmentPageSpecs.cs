using Bunit;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Components.Pages;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>On a client's page, "Assign free IP" gives it the lowest free address towards an endpoint, or says none is free.</summary>
public sealed class ClientAssignmentPageSpecs : PageSpecs
{
    private int _alice, _vpn;

    private async Task<IRenderedComponent<ClientEdit>> OpenAliceAsync()
    {
        SignInAsAdmin();
        _alice = await AddClientAsync("Alice", "192.168.1.2");
        _vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var cut = Render<ClientEdit>(ps => ps.Add(p => p.Id, _alice));
        cut.WaitForElement("[data-testid=assign-free]");
        return cut;
    }

    [Fact]
    public async Task Assign_free_IP_assigns_the_lowest_free_address_and_shows_it()
    {
        await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.9");
        var cut = await OpenAliceAsync();

        await cut.Find($"[data-testid=endpoint-row-{_vpn}] [data-testid=assign-free]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("203.0.113.9", cut.Find("[data-testid=assigned-address]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=assign-free]"));
        await using var db = Database.NewContext();
        var assignment = await db.Assignments.Include(a => a.ExternalAddress).SingleAsync(Ct);
        Assert.Equal((_alice, _vpn, "203.0.113.9"), (assignment.ClientId, assignment.EndpointId, assignment.ExternalAddress.Address.ToString()));
    }

    [Fact]
    public async Task With_no_address_free_the_page_says_so_and_links_to_adding_one()
    {
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        await AddExternalAsync("203.0.113.9");
        var cut = await OpenAliceAsync();
        await Assignments.AssignFreeAsync(bob, _vpn, Support.Actors.Admin, Ct);

        await cut.Find("[data-testid=assign-free]").ClickAsync(new());

        var alert = cut.WaitForElement("[data-testid=no-free-address]");
        Assert.Contains("No external address is free for Contivity: all 1 are in use.", alert.TextContent);
        var link = alert.QuerySelector("a")!;
        Assert.Equal(("/external-addresses?add=1", "Add an external address"), (link.GetAttribute("href"), link.TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=assigned-address]"));
    }

    [Fact]
    public async Task With_no_external_address_at_all_the_message_says_to_add_one_first()
    {
        var cut = await OpenAliceAsync();

        await cut.Find("[data-testid=assign-free]").ClickAsync(new());

        var alert = cut.WaitForElement("[data-testid=no-free-address]");
        Assert.Contains("No external address exists yet, so none is free for Contivity. Add an external address first.", alert.TextContent);
    }

    [Fact]
    public async Task An_endpoint_without_an_assignment_shows_the_client_is_masqueraded_there()
    {
        var cut = await OpenAliceAsync();

        Assert.Contains("shared WAN address (masqueraded)", cut.Find($"[data-testid=endpoint-row-{_vpn}]").TextContent);
        Assert.Contains("Contivity (198.51.100.10)", cut.Find($"[data-testid=endpoint-row-{_vpn}]").TextContent);
    }
}
