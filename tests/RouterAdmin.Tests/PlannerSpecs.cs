using System.Net;
using RouterAdmin.Tests.Support;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests;

public sealed class PlannerSpecs
{
    private static readonly InventorySnapshot AliceBobAndDisabledCarol = new(
            new InventorySnapshot.SettingsRow("eth1", IPNetwork.Parse("192.168.1.0/24"), false),
            [
                new(1, "Bob", IPAddress.Parse("192.168.1.10"), null, null, true),
                new(2, "Alice", IPAddress.Parse("192.168.1.2"), null, null, true),
                new(3, "Carol", IPAddress.Parse("192.168.1.3"), null, null, false),
            ],
            [new(1, IPAddress.Parse("203.0.113.2"), "eth1", 24, false, null), new(2, IPAddress.Parse("203.0.113.3"), "eth1", 24, true, null)],
            [new(1, "Contivity", IPNetwork.Parse("198.51.100.10/32"), null)],
            [new(1, 1, 1, 2, DateTimeOffset.UnixEpoch), new(2, 2, 1, 1, DateTimeOffset.UnixEpoch), new(3, 3, 1, 1, DateTimeOffset.UnixEpoch)]);

    [Fact]
    public void One_snat_rule_per_enabled_assignment_in_client_order_after_a_single_jump_at_position_one()
    {
        var inventory = AliceBobAndDisabledCarol;

        var plan = Planned.Rules(inventory);

        Assert.Equal([new Jump(1, OwnedChains.JumpRule)], plan.Jumps);
        Assert.Equal(
        [
            "-A ROUTERADMIN-SNAT -s 192.168.1.2/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Alice to Contivity\" -j SNAT --to-source 203.0.113.2",
            "-A ROUTERADMIN-SNAT -s 192.168.1.10/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Bob to Contivity\" -j SNAT --to-source 203.0.113.3",
        ], plan.SnatRules.Select(r => r.SaveLine));
        Assert.Equal([new BoundAddress(IPAddress.Parse("203.0.113.3"), 24, "eth1")], plan.Addresses);
    }

    [Fact]
    public void The_plan_is_in_the_domains_words_with_the_names_as_typed_and_no_rule_syntax()
    {
        var inventory = AliceBobAndDisabledCarol;

        var plan = RouterAdmin.Firewall.Planning.FirewallPlanner.Plan(inventory);

        Assert.Equal(
        [
            "192.168.1.2 → 198.51.100.10/32 via 203.0.113.2 (Alice to Contivity; Alice, Contivity)",
            "192.168.1.10 → 198.51.100.10/32 via 203.0.113.3 (Bob to Contivity; Bob, Contivity)",
        ], plan.Mappings.Select(m => $"{m.Client} → {m.Endpoint} via {m.External} ({m.Label}; {m.Names!.Client}, {m.Names.Endpoint})"));
        Assert.Null(plan.Masquerade);
        Assert.Equal([new BoundAddress(IPAddress.Parse("203.0.113.3"), 24, "eth1")], plan.Addresses);
    }
}
