using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;

namespace RouterAdmin.Tests.Inventory;

/// <summary>Several clients get free addresses towards one endpoint in one action: all of them, or none.</summary>
public sealed class BulkAssignmentSpecs : InventorySpecs
{
    [Fact]
    public async Task Each_selected_client_gets_the_next_lowest_free_address_in_one_change()
    {
        var carol = await AddClientAsync("Carol", "192.168.1.4");
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        foreach (var address in new[] { "203.0.113.12", "203.0.113.10", "203.0.113.11", "203.0.113.13" }) await AddExternalAsync(address);

        var done = await Assignments.AssignFreeToEachAsync([carol, alice, bob], vpn, Actors.Admin, Ct);

        Assert.Equal(["Alice → 203.0.113.10", "Bob → 203.0.113.11", "Carol → 203.0.113.12"], done.Assigned.Select(a => $"{a.ClientName} → {a.ExternalAddress}"));
        Assert.Empty(done.AlreadyAssigned);
        var created = (await AuditAsync()).Where(a => a.Action == RouterAdmin.History.AuditActions.AssignmentCreate).Select(a => a.Subject).ToArray();
        Assert.Equal(["Client Alice → Contivity", "Client Bob → Contivity", "Client Carol → Contivity"], created);
    }

    [Fact]
    public async Task A_client_that_already_has_an_address_towards_the_endpoint_keeps_it_and_is_named()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var first = await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.11");
        await AssignAsync(alice, vpn, first);

        var done = await Assignments.AssignFreeToEachAsync([alice, bob], vpn, Actors.Admin, Ct);

        Assert.Equal(["Bob → 203.0.113.11"], done.Assigned.Select(a => $"{a.ClientName} → {a.ExternalAddress}"));
        Assert.Equal(["Alice"], done.AlreadyAssigned);
    }

    [Fact]
    public async Task Too_few_free_addresses_refuse_the_whole_batch_and_change_nothing()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var carol = await AddClientAsync("Carol", "192.168.1.4");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.11");
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Assignments.AssignFreeToEachAsync([alice, bob, carol], vpn, Actors.Admin, Ct));

        Assert.Contains("has 2 free external address(es) for the 3 client(s)", refusal.Message);
        Assert.Contains("nothing was assigned", refusal.Message);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task With_no_free_address_at_all_the_refusal_is_the_usual_one()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");

        var refusal = await Assert.ThrowsAsync<NoFreeAddress>(() => Assignments.AssignFreeToEachAsync([alice], vpn, Actors.Admin, Ct));

        Assert.Equal("Contivity", refusal.EndpointName);
    }

    [Fact]
    public async Task A_viewer_cannot_and_an_empty_selection_is_bad_input()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.10");

        await Assert.ThrowsAsync<Forbidden>(() => Assignments.AssignFreeToEachAsync([alice], vpn, Actors.Viewer, Ct));
        var invalid = await Assert.ThrowsAsync<InvalidInput>(() => Assignments.AssignFreeToEachAsync([], vpn, Actors.Admin, Ct));
        Assert.True(invalid.Errors.Has("Clients"));
    }
}
