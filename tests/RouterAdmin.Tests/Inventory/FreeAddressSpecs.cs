using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>
/// The scarce resource is the pair (external address, endpoint). "Assign free IP" gives a client the lowest address
/// that no other client uses towards that endpoint.
/// </summary>
public sealed class FreeAddressSpecs : InventorySpecs
{
    [Fact]
    public async Task Assign_free_picks_the_numerically_lowest_free_address_not_the_first_in_text_order()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.100");
        await AddExternalAsync("203.0.113.9");

        var assignment = await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);

        Assert.Equal("203.0.113.9", assignment.ExternalAddress);
        Assert.Equal(("Alice", "192.168.1.2", "Contivity", "198.51.100.10", InventorySpecs.Start), (assignment.ClientName, assignment.ClientAddress, assignment.EndpointName, assignment.Destination, assignment.AssignedAt));
    }

    [Fact]
    public async Task Lowest_is_numeric_across_octets_too()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.114.1");
        await AddExternalAsync("203.0.20.1");
        await AddExternalAsync("100.64.0.2");

        Assert.Equal("100.64.0.2", (await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct)).ExternalAddress);
    }

    [Fact]
    public async Task An_address_another_client_uses_towards_the_endpoint_is_not_free_for_it()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);

        var bobs = await Assignments.AssignFreeAsync(bob, vpn, Actors.Admin, Ct);

        Assert.Equal("203.0.113.10", bobs.ExternalAddress);
    }

    [Fact]
    public async Task The_same_external_address_serves_different_clients_towards_different_endpoints()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var contivity = await AddEndpointAsync("Contivity", "198.51.100.10");
        var other = await AddEndpointAsync("Other VPN", "198.51.100.20");
        await AddExternalAsync("203.0.113.9");

        var alices = await Assignments.AssignFreeAsync(alice, contivity, Actors.Admin, Ct);
        var bobs = await Assignments.AssignFreeAsync(bob, other, Actors.Admin, Ct);

        Assert.Equal(("203.0.113.9", "203.0.113.9"), (alices.ExternalAddress, bobs.ExternalAddress));
    }

    [Fact]
    public async Task The_free_list_is_lowest_first_and_leaves_out_addresses_other_clients_hold_towards_that_endpoint_only()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var contivity = await AddEndpointAsync("Contivity", "198.51.100.10");
        var other = await AddEndpointAsync("Other VPN", "198.51.100.20");
        var ten = await AddExternalAsync("203.0.113.10");
        var nine = await AddExternalAsync("203.0.113.9");
        await AssignAsync(alice, contivity, nine);

        var forBobToContivity = await Assignments.GetFreeAddressesAsync(contivity, bob, Ct);
        var forBobToOther = await Assignments.GetFreeAddressesAsync(other, bob, Ct);
        var forAliceToContivity = await Assignments.GetFreeAddressesAsync(contivity, alice, Ct);

        Assert.Equal(["203.0.113.10"], forBobToContivity.Select(a => a.Address));
        Assert.Equal(["203.0.113.9", "203.0.113.10"], forBobToOther.Select(a => a.Address));
        Assert.Equal(["203.0.113.9", "203.0.113.10"], forAliceToContivity.Select(a => a.Address)); // her own counts, to change it
        Assert.Equal([nine, ten], forBobToOther.Select(a => a.Id));
    }

    [Fact]
    public async Task With_every_address_in_use_assign_free_says_none_is_free_and_what_to_do()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<NoFreeAddress>(() => Assignments.AssignFreeAsync(bob, vpn, Actors.Admin, Ct));

        Assert.Equal("No external address is free for Contivity: all 1 are in use. Add an external address, or free one by unassigning.", refusal.Message);
        Assert.Equal("Contivity", refusal.EndpointName);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task With_no_external_address_at_all_assign_free_says_to_add_one_first()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");

        var refusal = await Assert.ThrowsAsync<NoFreeAddress>(() => Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct));

        Assert.Equal("No external address exists yet, so none is free for Contivity. Add an external address first.", refusal.Message);
    }

    [Fact]
    public async Task A_client_that_already_has_an_address_for_the_endpoint_is_told_to_change_that_one()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct));

        Assert.Equal("Alice already leaves from 203.0.113.9 towards Contivity; change that assignment instead.", refusal.Message);
    }

    [Fact]
    public async Task Picking_an_address_another_client_holds_towards_the_endpoint_is_refused()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var nine = await AddExternalAsync("203.0.113.9");
        await AssignAsync(alice, vpn, nine);
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Assignments.AssignAsync(bob, vpn, nine, Actors.Admin, Ct));

        Assert.Contains("203.0.113.9", refusal.Message);
        Assert.Contains("pick another free address", refusal.Message);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task Moving_an_assignment_onto_an_address_someone_else_holds_names_the_holder()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var nine = await AddExternalAsync("203.0.113.9");
        var ten = await AddExternalAsync("203.0.113.10");
        await AssignAsync(alice, vpn, nine);
        var bobs = await AssignAsync(bob, vpn, ten);

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Assignments.ReassignAsync(bobs, nine, Actors.Admin, Ct));

        Assert.Equal("203.0.113.9 already serves Alice towards Contivity; pick a free address.", refusal.Message);
    }

    [Fact]
    public async Task An_assignment_moves_to_a_free_address_and_unassigning_frees_it_again()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var nine = await AddExternalAsync("203.0.113.9");
        var ten = await AddExternalAsync("203.0.113.10");
        var assignment = await AssignAsync(alice, vpn, nine);

        await Assignments.ReassignAsync(assignment, ten, Actors.Admin, Ct);
        var moved = (await Clients.GetAsync(alice, Ct))!.Assignments.Single().ExternalAddress;
        await Assignments.UnassignAsync(assignment, Actors.Admin, Ct);

        Assert.Equal("203.0.113.10", moved);
        Assert.Empty((await Clients.GetAsync(alice, Ct))!.Assignments);
        Assert.Equal(["203.0.113.9", "203.0.113.10"], (await Assignments.GetFreeAddressesAsync(vpn, null, Ct)).Select(a => a.Address));
    }

    [Fact]
    public async Task An_endpoint_shows_its_capacity_and_who_holds_which_address()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.10");
        var nine = await AddExternalAsync("203.0.113.9");
        await AssignAsync(alice, vpn, nine);

        var details = await Endpoints.GetAsync(vpn, Ct);
        var row = Assert.Single(await Endpoints.ListAsync(null, Ct));

        Assert.Equal((1, 2), (details!.Used, details.Total));
        Assert.Equal((1, 2), (row.Used, row.Total));
        Assert.Equal(
            [("203.0.113.9", (string?)"Alice", (string?)"192.168.1.2"), ("203.0.113.10", null, null)],
            details.Holders.Select(h => (h.ExternalAddress, h.ClientName, h.ClientAddress)));
    }
}
