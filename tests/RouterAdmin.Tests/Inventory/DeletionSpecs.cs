using Microsoft.EntityFrameworkCore;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>
/// Deleting something that assignments hang on takes them with it, but only when the administrator acknowledged how
/// many: the count shown in the confirmation is checked again, so a stale confirmation deletes nothing.
/// </summary>
public sealed class DeletionSpecs : InventorySpecs
{
    private int _alice, _bob, _nine, _ten, _contivity, _other;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _alice = await AddClientAsync("Alice", "192.168.1.2");
        _bob = await AddClientAsync("Bob", "192.168.1.3");
        _nine = await AddExternalAsync("203.0.113.9");
        _ten = await AddExternalAsync("203.0.113.10");
        _contivity = await AddEndpointAsync("Contivity", "198.51.100.10");
        _other = await AddEndpointAsync("Other VPN", "198.51.100.20");
        await AssignAsync(_alice, _contivity, _nine);
        await AssignAsync(_alice, _other, _ten);
        await AssignAsync(_bob, _contivity, _ten);
    }

    private async Task<int> AssignmentCountAsync()
    {
        await using var db = Database.NewContext();
        return await db.Assignments.CountAsync(Ct);
    }

    private async Task AssertNoDanglingAssignmentAsync()
    {
        await using var db = Database.NewContext();
        var dangling = await db.Assignments.CountAsync(a =>
            !db.Clients.Any(c => c.Id == a.ClientId) || !db.Endpoints.Any(e => e.Id == a.EndpointId) || !db.ExternalAddresses.Any(x => x.Id == a.ExternalAddressId), Ct);
        Assert.Equal(0, dangling);
    }

    [Fact]
    public async Task The_deletion_impact_names_every_assignment_that_goes_with_a_client()
    {
        var impact = await Clients.GetDeletionImpactAsync(_alice, Ct);

        Assert.Equal("client Alice (192.168.1.2)", impact.What);
        Assert.Equal(["Alice → Contivity via 203.0.113.9", "Alice → Other VPN via 203.0.113.10"], impact.AssignmentsRemoved.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deleting_a_client_with_the_acknowledged_count_takes_its_assignments_with_it()
    {
        await Clients.DeleteAsync(_alice, acknowledgedAssignments: 2, Actors.Admin, Ct);

        Assert.Null(await Clients.GetAsync(_alice, Ct));
        Assert.Equal(1, await AssignmentCountAsync());
        await AssertNoDanglingAssignmentAsync();
    }

    [Fact]
    public async Task Deleting_an_external_address_with_the_acknowledged_count_takes_its_assignments_with_it()
    {
        var impact = await Addresses.GetDeletionImpactAsync(_ten, Ct);

        await Addresses.DeleteAsync(_ten, impact.AssignmentsRemoved.Count, Actors.Admin, Ct);

        Assert.Equal(2, impact.AssignmentsRemoved.Count);
        Assert.Equal(1, await AssignmentCountAsync());
        await AssertNoDanglingAssignmentAsync();
    }

    [Fact]
    public async Task Deleting_an_endpoint_with_the_acknowledged_count_takes_its_assignments_with_it()
    {
        var impact = await Endpoints.GetDeletionImpactAsync(_contivity, Ct);

        await Endpoints.DeleteAsync(_contivity, impact.AssignmentsRemoved.Count, Actors.Admin, Ct);

        Assert.Equal("VPN endpoint Contivity (198.51.100.10)", impact.What);
        Assert.Equal(2, impact.AssignmentsRemoved.Count);
        Assert.Equal(1, await AssignmentCountAsync());
        await AssertNoDanglingAssignmentAsync();
    }

    [Fact]
    public async Task A_stale_count_is_refused_and_nothing_is_deleted()
    {
        var shown = await Clients.GetDeletionImpactAsync(_bob, Ct); // 1 assignment
        await AssignAsync(_bob, _other, _nine); // meanwhile another administrator adds one
        var before = await InventoryJsonAsync();

        var refusal = await Assert.ThrowsAsync<Conflict>(() =>
            Clients.DeleteAsync(_bob, shown.AssignmentsRemoved.Count, Actors.Admin, Ct));

        Assert.Equal("This now takes 2 assignment(s) with it, not 1 as shown; nothing was deleted. Look again and confirm.", refusal.Message);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Theory]
    [InlineData("client")]
    [InlineData("external")]
    [InlineData("endpoint")]
    public async Task Deleting_without_acknowledging_the_assignments_is_refused_for_every_kind(string kind)
    {
        var before = await InventoryJsonAsync();

        Task Delete() => kind switch
        {
            "client" => Clients.DeleteAsync(_alice, 0, Actors.Admin, Ct),
            "external" => Addresses.DeleteAsync(_ten, 0, Actors.Admin, Ct),
            _ => Endpoints.DeleteAsync(_contivity, 0, Actors.Admin, Ct),
        };
        var refusal = await Assert.ThrowsAsync<Conflict>(Delete);

        Assert.Contains("nothing was deleted", refusal.Message);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task Deleting_something_already_gone_says_so()
    {
        await Endpoints.DeleteAsync(_other, 1, Actors.OtherAdmin, Ct);

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Endpoints.DeleteAsync(_other, 1, Actors.Admin, Ct));

        Assert.Equal("That VPN endpoint no longer exists; another administrator may have deleted it. Reload the page.", refusal.Message);
    }
}
