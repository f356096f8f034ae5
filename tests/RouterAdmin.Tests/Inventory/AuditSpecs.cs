using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>Every change to the inventory leaves an audit entry saying who did what, when, in the same transaction.</summary>
public sealed class AuditSpecs : InventorySpecs
{
    [Fact]
    public async Task Each_change_is_recorded_with_its_actor_action_subject_and_time()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var nine = await Addresses.CreateAsync(Make.External("203.0.113.9", bindOnWan: true), Actors.OtherAdmin, Ct);
        var ten = await AddExternalAsync("203.0.113.10");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var assignment = (await Assignments.AssignFreeAsync(alice, vpn, Actors.OtherAdmin, Ct)).Id;
        await Assignments.ReassignAsync(assignment, ten, Actors.Admin, Ct);
        await Assignments.UnassignAsync(assignment, Actors.Admin, Ct);
        await Clients.UpdateAsync(alice, Make.Client("Alice B.", "192.168.1.2", enabled: false), Actors.Admin, Ct);
        await Addresses.UpdateAsync(nine, Make.External("203.0.113.9", bindOnWan: false), Actors.Admin, Ct);
        await Endpoints.UpdateAsync(vpn, Make.Endpoint("Contivity 2", "198.51.100.10"), Actors.Admin, Ct);
        await Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "192.168.1.0/24", ManageMasquerade = true }, Actors.Admin, Ct);
        await Endpoints.DeleteAsync(vpn, 0, Actors.Admin, Ct);
        await Addresses.DeleteAsync(ten, 0, Actors.Admin, Ct);
        await Clients.DeleteAsync(alice, 0, Actors.Admin, Ct);

        var audit = await AuditAsync();

        Assert.Equal(
        [
            ("ada", "client.create", "Client Alice", "192.168.1.2"),
            ("otto", "external.create", "External address 203.0.113.9", "203.0.113.9/24 on eth1, bound by RouterAdmin"),
            ("ada", "external.create", "External address 203.0.113.10", "203.0.113.10/24 on eth1"),
            ("ada", "endpoint.create", "VPN endpoint Contivity", "198.51.100.10"),
            ("otto", "assignment.create", "Client Alice → Contivity", "192.168.1.2 leaves from 203.0.113.9"),
            ("ada", "assignment.update", "Client Alice → Contivity", "203.0.113.9 → 203.0.113.10"),
            ("ada", "assignment.delete", "Client Alice → Contivity", "freed 203.0.113.10"),
            ("ada", "client.update", "Client Alice B.", "name: Alice → Alice B.; enabled: True → False"),
            ("ada", "external.update", "External address 203.0.113.9", "bind: True → False"),
            ("ada", "endpoint.update", "VPN endpoint Contivity 2", "name: Contivity → Contivity 2"),
            ("ada", "settings.update", "Router settings", "WAN eth1, LAN 192.168.1.0/24, masquerade not managed, VPN watch off → WAN eth1, LAN 192.168.1.0/24, masquerade managed, VPN watch off"),
            ("ada", "endpoint.delete", "VPN endpoint Contivity 2", "198.51.100.10"),
            ("ada", "external.delete", "External address 203.0.113.10", "203.0.113.10 on eth1"),
            ("ada", "client.delete", "Client Alice B.", "192.168.1.2"),
        ],
        audit.Select(a => (a.Actor, a.Action, a.Subject, a.Details)));
        Assert.Equal(Start, audit[0].At);
        Assert.All(audit.Skip(1), a => Assert.Equal(Start.AddMinutes(1), a.At));
    }

    [Fact]
    public async Task A_deletion_that_takes_assignments_lists_them_in_the_audit()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        await AddExternalAsync("203.0.113.9");
        await Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);

        await Clients.DeleteAsync(alice, 1, Actors.OtherAdmin, Ct);

        var entry = (await AuditAsync())[^1];
        Assert.Equal(("otto", "client.delete", "192.168.1.2; with it: Alice → Contivity via 203.0.113.9"), (entry.Actor, entry.Action, entry.Details));
    }

    [Fact]
    public async Task A_refused_change_leaves_no_audit_entry()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var before = (await AuditAsync()).Count;

        await Assert.ThrowsAsync<InvalidInput>(() => AddClientAsync("Bob", "192.168.1.2"));

        Assert.Equal(before, (await AuditAsync()).Count);
    }
}
