using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>Create, read back, update and delete each kind of inventory item through the service, on a real database.</summary>
public sealed class InventoryEditingSpecs : InventorySpecs
{
    [Fact]
    public async Task A_client_is_created_and_read_back_as_typed()
    {
        var id = await Clients.CreateAsync(Make.Client("Alice", " 192.168.1.2 ", "52-54-00-AB-CD-EF", "desk 4\nleft"), Actors.Admin, Ct);

        var client = await Clients.GetAsync(id, Ct);

        Assert.Equal(new ClientDetails(id, "Alice", "192.168.1.2", "52:54:00:ab:cd:ef", "desk 4\nleft", true, []), client);
    }

    [Fact]
    public async Task A_name_with_markup_and_quotes_is_stored_verbatim()
    {
        const string name = "<script>alert('x')</script> \"O'Brien\"";

        var id = await Clients.CreateAsync(Make.Client(name, "192.168.1.2"), Actors.Admin, Ct);

        await using var db = Database.NewContext();
        Assert.Equal(name, await db.Clients.Where(c => c.Id == id).Select(c => c.Name).SingleAsync(Ct));
    }

    [Fact]
    public async Task A_client_is_updated_in_place()
    {
        var id = await AddClientAsync("Alice", "192.168.1.2");

        await Clients.UpdateAsync(id, Make.Client("Alice (new laptop)", "192.168.1.20", enabled: false), Actors.Admin, Ct);

        var client = await Clients.GetAsync(id, Ct);
        Assert.Equal(("Alice (new laptop)", "192.168.1.20", false), (client!.Name, client.LanAddress, client.Enabled));
    }

    [Fact]
    public async Task A_client_may_keep_its_own_address_when_saved_again()
    {
        var id = await AddClientAsync("Alice", "192.168.1.2");

        await Clients.UpdateAsync(id, Make.Client("Alice A.", "192.168.1.2"), Actors.Admin, Ct);

        Assert.Equal("Alice A.", (await Clients.GetAsync(id, Ct))!.Name);
    }

    [Fact]
    public async Task A_client_without_assignments_is_deleted()
    {
        var id = await AddClientAsync("Alice", "192.168.1.2");

        await Clients.DeleteAsync(id, acknowledgedAssignments: 0, Actors.Admin, Ct);

        Assert.Null(await Clients.GetAsync(id, Ct));
    }

    [Fact]
    public async Task Updating_a_client_someone_else_deleted_says_it_is_gone()
    {
        var id = await AddClientAsync("Alice", "192.168.1.2");
        await Clients.DeleteAsync(id, 0, Actors.OtherAdmin, Ct);

        var refusal = await Assert.ThrowsAsync<Conflict>(() => Clients.UpdateAsync(id, Make.Client("Alice", "192.168.1.2"), Actors.Admin, Ct));

        Assert.Equal("That client no longer exists; another administrator may have deleted it. Reload the page.", refusal.Message);
    }

    [Fact]
    public async Task An_external_address_is_created_updated_and_deleted()
    {
        var id = await Addresses.CreateAsync(Make.External("203.0.113.2", "eth1", 24, bindOnWan: true, notes: "from ISP"), Actors.Admin, Ct);
        var created = await Addresses.GetDraftAsync(id, Ct);

        await Addresses.UpdateAsync(id, Make.External("203.0.113.3", "eth2", 28, bindOnWan: false), Actors.Admin, Ct);
        var updated = await Addresses.GetDraftAsync(id, Ct);

        await Addresses.DeleteAsync(id, 0, Actors.Admin, Ct);
        var deleted = await Addresses.GetDraftAsync(id, Ct);

        Assert.Equal(("203.0.113.2", "eth1", 24, true, "from ISP"), (created!.Address, created.Interface, created.PrefixLength, created.BindOnWan, created.Notes));
        Assert.Equal(("203.0.113.3", "eth2", 28, false, ""), (updated!.Address, updated.Interface, updated.PrefixLength, updated.BindOnWan, updated.Notes));
        Assert.Null(deleted);
    }

    [Fact]
    public async Task An_address_RouterAdmin_binds_needs_an_interface_name_short_enough_for_its_label()
    {
        var byHand = await Addresses.CreateAsync(Make.External("203.0.113.2", "enp3s0f1np1xy", bindOnWan: false), Actors.Admin, Ct);

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Addresses.CreateAsync(Make.External("203.0.113.3", "enp3s0f1np1xy", bindOnWan: true), Actors.Admin, Ct));

        Assert.NotNull(await Addresses.GetDraftAsync(byHand, Ct));
        Assert.Contains("\"enp3s0f1np1xy:ra\"", refusal.Errors.For(nameof(ExternalAddressDraft.Interface)));
    }

    [Fact]
    public async Task A_VPN_endpoint_is_created_updated_and_deleted()
    {
        var id = await Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        var created = await Endpoints.GetDraftAsync(id, Ct);

        await Endpoints.UpdateAsync(id, Make.Endpoint("Contivity cluster", "198.51.100.0/28", "two nodes"), Actors.Admin, Ct);
        var updated = await Endpoints.GetDraftAsync(id, Ct);

        await Endpoints.DeleteAsync(id, 0, Actors.Admin, Ct);

        Assert.Equal(("Contivity", "198.51.100.10", ""), (created!.Name, created.Destination, created.Notes));
        Assert.Equal(("Contivity cluster", "198.51.100.0/28", "two nodes"), (updated!.Name, updated.Destination, updated.Notes));
        Assert.Null(await Endpoints.GetDraftAsync(id, Ct));
    }

    [Fact]
    public async Task The_router_settings_are_seeded_and_can_be_changed()
    {
        var seeded = await Settings.GetAsync(Ct);

        await Settings.UpdateAsync(new SettingsDraft { WanInterface = "wan0", LanSubnet = "192.168.0.0/16", ManageMasquerade = true }, Actors.Admin, Ct);
        var changed = await Settings.GetAsync(Ct);

        Assert.Equal(("eth1", IPNetwork.Parse("192.168.1.0/24"), false), (seeded.WanInterface, seeded.LanSubnet, seeded.ManageMasquerade));
        Assert.Equal(("wan0", IPNetwork.Parse("192.168.0.0/16"), true), (changed.WanInterface, changed.LanSubnet, changed.ManageMasquerade));
    }

    [Fact]
    public async Task A_LAN_subnet_that_would_leave_clients_outside_is_refused()
    {
        await AddClientAsync("Alice", "192.168.1.2");

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/24" }, Actors.Admin, Ct));

        Assert.Equal("1 client(s) would be outside 10.0.0.0/24 (e.g. 192.168.1.2); move them first.", refusal.Errors.For(nameof(SettingsDraft.LanSubnet)));
        Assert.Equal(IPNetwork.Parse("192.168.1.0/24"), (await Settings.GetAsync(Ct)).LanSubnet);
    }

    [Fact]
    public async Task A_LAN_subnet_that_would_hold_an_external_address_is_refused()
    {
        await AddExternalAsync("10.1.2.3");

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/8" }, Actors.Admin, Ct));

        Assert.Equal("External address 10.1.2.3 would be inside 10.0.0.0/8.", refusal.Errors.For(nameof(SettingsDraft.LanSubnet)));
    }

    // SNAT rules carry no -o: a LAN widened over a VPN endpoint would rewrite LAN-to-LAN traffic to a public source.
    [Fact]
    public async Task Widening_the_LAN_over_an_existing_VPN_endpoint_is_refused()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        await AddEndpointAsync("Branch VPN", "192.168.200.10");

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() =>
            Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "192.168.0.0/16" }, Actors.Admin, Ct));

        Assert.Contains("Branch VPN", refusal.Errors.For(nameof(SettingsDraft.LanSubnet)));
        Assert.Equal(IPNetwork.Parse("192.168.1.0/24"), (await Settings.GetAsync(Ct)).LanSubnet);
    }

    [Fact]
    public async Task A_successful_change_raises_Changed_and_a_refused_one_does_not()
    {
        var raised = 0;
        using var subscription = Inventory.Changes.NotifyOnChange(() => raised++);

        await AddClientAsync("Alice", "192.168.1.2");
        await Assert.ThrowsAsync<InvalidInput>(() => AddClientAsync("Bob", "10"));

        Assert.Equal(1, raised);
    }
}
