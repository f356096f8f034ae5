using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>A LAN address, an external address or a VPN destination belongs to one item only; a duplicate is a field error and saves nothing.</summary>
public sealed class DuplicateSpecs : InventorySpecs
{
    [Fact]
    public async Task A_second_client_with_the_same_LAN_address_is_refused_naming_the_client_that_has_it()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() => AddClientAsync("Bob", "192.168.1.2"));

        Assert.Equal([nameof(ClientDraft.LanAddress)], refusal.Errors.ByField.Keys);
        Assert.Equal("192.168.1.2 is already used by client Alice.", refusal.Errors.For(nameof(ClientDraft.LanAddress)));
        Assert.Equal(before, await InventoryJsonAsync());
        Assert.Equal("Alice", (await Clients.GetAsync(alice, Ct))!.Name);
    }

    [Fact]
    public async Task Moving_a_client_onto_another_clients_address_is_refused_and_both_stay_as_they_were()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Clients.UpdateAsync(bob, Make.Client("Bob", "192.168.1.2"), Actors.Admin, Ct));

        Assert.Equal("192.168.1.2 is already used by client Alice.", refusal.Errors.For(nameof(ClientDraft.LanAddress)));
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task A_second_external_address_with_the_same_address_is_refused_and_the_first_is_untouched()
    {
        var first = await Addresses.CreateAsync(Make.External("203.0.113.2", notes: "first"), Actors.Admin, Ct);
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Addresses.CreateAsync(Make.External("203.0.113.2", "eth2", notes: "second"), Actors.Admin, Ct));

        Assert.Equal([nameof(ExternalAddressDraft.Address)], refusal.Errors.ByField.Keys);
        Assert.Equal("203.0.113.2 is already in the list.", refusal.Errors.For(nameof(ExternalAddressDraft.Address)));
        Assert.Equal(before, await InventoryJsonAsync());
        Assert.Equal("first", (await Addresses.GetDraftAsync(first, Ct))!.Notes);
    }

    [Fact]
    public async Task Changing_an_external_address_to_one_already_listed_is_refused()
    {
        await AddExternalAsync("203.0.113.2");
        var other = await AddExternalAsync("203.0.113.3");
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Addresses.UpdateAsync(other, Make.External("203.0.113.2"), Actors.Admin, Ct));

        Assert.Equal("203.0.113.2 is already in the list.", refusal.Errors.For(nameof(ExternalAddressDraft.Address)));
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task A_second_endpoint_with_the_same_destination_is_refused_naming_the_first()
    {
        await AddEndpointAsync("Contivity", "198.51.100.10");
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() => AddEndpointAsync("Again", "198.51.100.10/32"));

        Assert.Equal("198.51.100.10 is already the endpoint Contivity.", refusal.Errors.For(nameof(EndpointDraft.Destination)));
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Theory]
    [InlineData("198.51.100.0/24")]
    [InlineData("198.51.100.8/29")]
    public async Task An_endpoint_overlapping_another_is_refused_because_rule_order_would_decide(string destination)
    {
        await AddEndpointAsync("Contivity", "198.51.100.10");

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() => AddEndpointAsync("Cluster", destination));

        Assert.Equal($"{destination} overlaps the endpoint Contivity (198.51.100.10).", refusal.Errors.For(nameof(EndpointDraft.Destination)));
    }

    [Fact]
    public async Task Two_clients_may_share_a_name()
    {
        await AddClientAsync("Laptop", "192.168.1.2");

        await AddClientAsync("Laptop", "192.168.1.3");

        Assert.Equal(2, (await Clients.GetPageAsync(new PageRequest(0, 10, "Laptop"), Ct)).Total);
    }
}
