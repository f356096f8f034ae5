using Bunit;
using RouterAdmin.Components.Pages;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>A viewer sees the inventory but no button that would change it (the services refuse anyway).</summary>
public sealed class ViewerPageSpecs : PageSpecs
{
    [Fact]
    public async Task A_viewer_sees_the_clients_but_no_add_button()
    {
        SignInAsViewer();
        await AddClientAsync("Alice", "192.168.1.2");

        var cut = Render<Clients>();

        cut.WaitForAssertion(() => Assert.Contains("Alice", cut.Find("tbody tr").TextContent));
        Assert.DoesNotContain(cut.FindAll("a, button"), e => e.TextContent.Contains("Add client", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("a[href='/clients/new']"));
    }

    [Fact]
    public void A_viewer_sees_an_empty_client_list_without_the_add_action()
    {
        SignInAsViewer();

        var cut = Render<Clients>();

        var empty = cut.WaitForElement("[data-testid=empty-state]");
        Assert.Contains("No clients yet", empty.TextContent);
        Assert.Empty(empty.QuerySelectorAll("a, button"));
    }

    [Fact]
    public async Task A_viewer_sees_a_clients_fields_read_only_and_no_save_assign_or_delete_button()
    {
        SignInAsViewer();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");

        var cut = Render<ClientEdit>(ps => ps.Add(p => p.Id, alice));

        cut.WaitForElement($"[data-testid=endpoint-row-{vpn}]");
        Assert.Equal("Alice", cut.Find("#client-name").GetAttribute("value"));
        Assert.True(cut.Find("#client-name").HasAttribute("readonly"));
        Assert.True(cut.Find("#client-lan-address").HasAttribute("readonly"));
        Assert.Empty(cut.FindAll("form"));
        Assert.Empty(cut.FindAll("[data-testid=save-client]"));
        Assert.Empty(cut.FindAll("[data-testid=assign-free]"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() is "Delete" or "Pick…" or "Save" or "Assign free IP");
    }

    [Fact]
    public async Task A_viewer_sees_who_holds_which_address_but_cannot_assign_or_unassign()
    {
        SignInAsViewer();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);

        var cut = Render<EndpointPage>(ps => ps.Add(p => p.Id, vpn));

        cut.WaitForAssertion(() => Assert.Contains("Alice", cut.Find("[data-testid=holders]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=assign-client]"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Contains("Unassign", StringComparison.Ordinal));
    }
}
