using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Domain;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>
/// The database itself, not only the service, keeps the scarce resource scarce: written straight through a DbContext,
/// a second client on the same (endpoint, external address) or a second address for the same (endpoint, client) is refused.
/// </summary>
public sealed class DatabaseConstraintSpecs : InventorySpecs
{
    private int _alice, _bob, _nine, _ten, _vpn;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _alice = await AddClientAsync("Alice", "192.168.1.2");
        _bob = await AddClientAsync("Bob", "192.168.1.3");
        _nine = await AddExternalAsync("203.0.113.9");
        _ten = await AddExternalAsync("203.0.113.10");
        _vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AssignAsync(_alice, _vpn, _nine);
    }

    private async Task<SqliteException> RefusedInsertAsync(Action<AppDbContext> add)
    {
        await using var db = Database.NewContext();
        add(db);
        var failure = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        return Assert.IsType<SqliteException>(failure.InnerException);
    }

    private async Task<int> AssignmentsAsync()
    {
        await using var db = Database.NewContext();
        return await db.Assignments.CountAsync(Ct);
    }

    [Fact]
    public async Task A_second_client_on_the_same_endpoint_and_external_address_is_refused_by_the_database()
    {
        var error = await RefusedInsertAsync(db => db.Assignments.Add(new Assignment { ClientId = _bob, EndpointId = _vpn, ExternalAddressId = _nine }));

        Assert.Equal(19, error.SqliteErrorCode);
        Assert.Contains("UNIQUE constraint failed: Assignments.EndpointId, Assignments.ExternalAddressId", error.Message);
        Assert.Equal(1, await AssignmentsAsync());
    }

    [Fact]
    public async Task A_second_external_address_for_the_same_endpoint_and_client_is_refused_by_the_database()
    {
        var error = await RefusedInsertAsync(db => db.Assignments.Add(new Assignment { ClientId = _alice, EndpointId = _vpn, ExternalAddressId = _ten }));

        Assert.Contains("UNIQUE constraint failed: Assignments.EndpointId, Assignments.ClientId", error.Message);
        Assert.Equal(1, await AssignmentsAsync());
    }

    [Fact]
    public async Task Two_clients_with_the_same_LAN_address_are_refused_by_the_database()
    {
        var error = await RefusedInsertAsync(db => db.Clients.Add(new Client { Name = "Mallory", LanAddress = IPAddress.Parse("192.168.1.2") }));

        Assert.Contains("UNIQUE constraint failed: Clients.LanAddress", error.Message);
    }

    [Fact]
    public async Task The_same_external_address_twice_is_refused_by_the_database()
    {
        var error = await RefusedInsertAsync(db => db.ExternalAddresses.Add(new ExternalAddress { Address = IPAddress.Parse("203.0.113.9"), Interface = "eth2" }));

        Assert.Contains("UNIQUE constraint failed: ExternalAddresses.Address", error.Message);
    }

    [Fact]
    public async Task An_assignment_to_a_client_that_does_not_exist_is_refused_by_the_database()
    {
        var error = await RefusedInsertAsync(db => db.Assignments.Add(new Assignment { ClientId = 999, EndpointId = _vpn, ExternalAddressId = _ten }));

        Assert.Contains("FOREIGN KEY constraint failed", error.Message);
    }

    [Fact]
    public async Task Deleting_a_client_row_directly_cascades_to_its_assignments()
    {
        await using (var db = Database.NewContext())
            await db.Clients.Where(c => c.Id == _alice).ExecuteDeleteAsync(Ct);

        Assert.Equal(0, await AssignmentsAsync());
    }

    [Fact]
    public async Task The_same_external_address_towards_another_endpoint_is_accepted_by_the_database()
    {
        var other = await AddEndpointAsync("Other VPN", "198.51.100.20");

        await using (var db = Database.NewContext())
        {
            db.Assignments.Add(new Assignment { ClientId = _bob, EndpointId = other, ExternalAddressId = _nine });
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(2, await AssignmentsAsync());
    }

    [Fact]
    public async Task Addresses_are_stored_as_numbers_so_the_database_orders_them_numerically()
    {
        await AddExternalAsync("203.0.113.100");

        await using var db = Database.NewContext();
        var ordered = await db.ExternalAddresses.OrderBy(a => a.Address).Select(a => a.Address).ToListAsync(Ct);

        Assert.Equal(["203.0.113.9", "203.0.113.10", "203.0.113.100"], ordered.Select(a => a.ToString()));
    }
}
