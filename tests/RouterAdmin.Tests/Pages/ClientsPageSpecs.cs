using Bunit;
using RouterAdmin.Components.Pages;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>The clients list shows what the database holds, or says there is nothing yet and how to start.</summary>
public sealed class ClientsPageSpecs : PageSpecs
{
    [Fact]
    public async Task The_clients_page_lists_the_clients_from_the_database_with_where_they_leave_from()
    {
        SignInAsAdmin();
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        await AddClientAsync("Bob", "192.168.1.10");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await Assignments.AssignFreeAsync(alice, vpn, Support.Actors.Admin, Ct);

        var cut = Render<Clients>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        var rows = cut.FindAll("tbody tr");
        Assert.Contains("Alice", rows[0].TextContent);
        Assert.Contains("192.168.1.2", rows[0].TextContent);
        Assert.Contains("Contivity → 203.0.113.9", rows[0].TextContent);
        Assert.Equal($"/clients/{alice}", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Bob", rows[1].TextContent);
        Assert.Contains("not assigned", rows[1].TextContent);
    }

    [Fact]
    public void With_no_clients_the_page_says_so_and_offers_to_add_the_first()
    {
        SignInAsAdmin();

        var cut = Render<Clients>();

        var empty = cut.WaitForElement("[data-testid=empty-state]");
        Assert.Contains("No clients yet. Add the first employee's machine, then assign it a free external IP.", empty.TextContent);
        Assert.Equal("/clients/new", empty.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_name_with_markup_is_shown_as_text_and_never_becomes_markup()
    {
        SignInAsAdmin();
        await AddClientAsync("<script>alert('x')</script><b>bold</b>", "192.168.1.2");

        var cut = Render<Clients>();

        cut.WaitForAssertion(() => Assert.Contains("<script>alert('x')</script><b>bold</b>", cut.Find("tbody tr").TextContent));
        Assert.Empty(cut.FindAll("tbody script"));
        Assert.Empty(cut.FindAll("tbody b"));
    }

    [Fact]
    public void An_administrator_sees_the_add_button()
    {
        SignInAsAdmin();

        var cut = Render<Clients>();

        Assert.Contains(cut.FindAll("a"), a => a.GetAttribute("href") == "/clients/new" && a.TextContent.Contains("Add client", StringComparison.Ordinal));
    }
}
