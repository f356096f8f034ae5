using System.Net;
using RouterAdmin.Inventory;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests;

/// <summary>Before a rollback, the administrator reads in words what it will do to the inventory.</summary>
public sealed class InventoryComparerSpecs
{
    private static readonly InventorySnapshot Then = InventoryOf(
        [Client(1, "Alice", "192.168.1.2"), Client(2, "Bob", "192.168.1.3")],
        [External(1, "203.0.113.9"), External(2, "203.0.113.10")],
        [Endpoint(1, "Contivity", "198.51.100.10")],
        [Assignment(1, 1, 1, 1), Assignment(2, 2, 1, 2)]);

    [Fact]
    public void The_same_inventory_needs_no_words()
    {
        Assert.Empty(InventoryComparer.Describe(Then, Then));
    }

    [Fact]
    public void What_was_deleted_since_comes_back_and_what_was_added_since_is_removed()
    {
        var now = Then with
        {
            Clients = [Then.Clients[0], Client(3, "Carol", "192.168.1.4")],
            Assignments = [Then.Assignments[0], Assignment(3, 3, 1, 2)],
        };

        var words = InventoryComparer.Describe(now, Then);

        Assert.Equal(
        [
            "Client Bob (192.168.1.3) comes back",
            "Client Carol (192.168.1.4) is removed",
            "Assignment Bob → Contivity via 203.0.113.10 comes back",
            "Assignment Carol → Contivity via 203.0.113.10 is removed",
        ], words);
    }

    [Fact]
    public void A_changed_item_is_described_from_now_back_to_then()
    {
        var now = Then with
        {
            Clients = [Then.Clients[0] with { Name = "Alice B." }, Then.Clients[1]],
            ExternalAddresses = [Then.ExternalAddresses[0], Then.ExternalAddresses[1] with { Address = IPAddress.Parse("203.0.113.11") }],
            Endpoints = [Then.Endpoints[0] with { Name = "Contivity 2" }],
        };

        var words = InventoryComparer.Describe(now, Then);

        Assert.Equal(
        [
            "Client Alice B. (192.168.1.2): name Alice B. → Alice",
            "External address 203.0.113.11: address 203.0.113.11 → 203.0.113.10",
            "VPN endpoint Contivity 2: name Contivity 2 → Contivity",
            "Assignment Bob → Contivity 2: 203.0.113.11 → 203.0.113.10",
        ], words);
    }

    [Fact]
    public void An_assignment_moved_to_another_address_is_moved_back()
    {
        var now = Then with { Assignments = [Then.Assignments[0] with { ExternalAddressId = 2 }, Then.Assignments[1] with { ExternalAddressId = 1 }] };

        Assert.Equal(
            ["Assignment Alice → Contivity: 203.0.113.10 → 203.0.113.9", "Assignment Bob → Contivity: 203.0.113.9 → 203.0.113.10"],
            InventoryComparer.Describe(now, Then));
    }

    [Fact]
    public void Changed_settings_are_spelled_out()
    {
        var now = Then with { Settings = new InventorySnapshot.SettingsRow("wan0", IPNetwork.Parse("10.0.0.0/24"), true) };

        Assert.Equal(
            ["Settings: WAN wan0 → eth1, LAN 10.0.0.0/24 → 192.168.1.0/24, masquerade managed True → False, VPN watch False → False"],
            InventoryComparer.Describe(now, Then));
    }

    // Re-enabling a client changes the rules on the router, so the rollback's wording must say so.
    [Fact]
    public void A_client_disabled_since_is_said_to_be_enabled_again()
    {
        var now = Then with { Clients = [Then.Clients[0] with { Enabled = false }, Then.Clients[1]] };

        var words = Assert.Single(InventoryComparer.Describe(now, Then));

        Assert.Contains("enabled", words, StringComparison.OrdinalIgnoreCase);
    }
}
