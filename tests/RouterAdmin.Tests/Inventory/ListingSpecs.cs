using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>The tables page, sort and search on the database: addresses sort as numbers, and search text is literal.</summary>
public sealed class ListingSpecs : InventorySpecs
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await AddClientAsync("Carol", "192.168.1.100");
        await AddClientAsync("alice_1", "192.168.1.9");
        await AddClientAsync("Bob 100%", "192.168.1.10");
        await AddExternalAsync("203.0.113.100");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
    }

    private async Task<string[]> ClientNamesAsync(PageRequest request) =>
        (await Clients.GetPageAsync(request, Ct)).Items.Select(c => c.Name).ToArray();

    [Fact]
    public async Task Clients_sorted_by_address_go_in_numeric_order_both_ways()
    {
        Assert.Equal(["alice_1", "Bob 100%", "Carol"], await ClientNamesAsync(new PageRequest(0, 10, SortBy: "address")));
        Assert.Equal(["Carol", "Bob 100%", "alice_1"], await ClientNamesAsync(new PageRequest(0, 10, SortBy: "address", Descending: true)));
    }

    [Fact]
    public async Task Clients_are_sorted_by_name_without_regard_to_case_by_default()
    {
        Assert.Equal(["alice_1", "Bob 100%", "Carol"], await ClientNamesAsync(new PageRequest(0, 10)));
    }

    [Fact]
    public async Task External_addresses_are_listed_in_numeric_order()
    {
        var page = await Addresses.GetPageAsync(new PageRequest(0, 10), Ct);

        Assert.Equal(["203.0.113.9", "203.0.113.10", "203.0.113.100"], page.Items.Select(a => a.Address));
    }

    [Theory]
    [InlineData("192.168.1.1", new[] { "Bob 100%", "Carol" })]
    [InlineData("ALICE", new[] { "alice_1" })]
    [InlineData("_", new[] { "alice_1" })]
    [InlineData("%", new[] { "Bob 100%" })]
    [InlineData("nobody", new string[0])]
    public async Task Search_matches_names_and_dotted_addresses_and_takes_wildcards_literally(string search, string[] names)
    {
        Assert.Equal(names, await ClientNamesAsync(new PageRequest(0, 10, search)));
    }

    [Fact]
    public async Task Paging_returns_one_page_and_the_total()
    {
        var page = await Clients.GetPageAsync(new PageRequest(1, 2), Ct);

        Assert.Equal(["Carol"], page.Items.Select(c => c.Name));
        Assert.Equal(3, page.Total);
    }
}
