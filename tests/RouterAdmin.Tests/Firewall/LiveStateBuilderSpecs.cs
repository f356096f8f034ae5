using RouterAdmin.TestSupport.Lab;
using System.Net;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests.Firewall;

/// <summary>What the kernel printed becomes the model the planner produces: our chains, our jumps and where they sit, our addresses.</summary>
public sealed class LiveStateBuilderSpecs
{
    [Fact]
    public void The_jump_to_the_owned_chain_is_found_with_its_position_in_POSTROUTING()
    {
        var live = Live(NatTable(":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]", MasqueradeLine, JumpLine));

        Assert.Equal([new Jump(2, OwnedChains.JumpRule)], live.Owned.Jumps);
        Assert.True(live.Owned.ChainsExist);
        Assert.Equal([MasqueradeLine], live.ForeignPostrouting.Select(r => r.SaveLine));
    }

    [Fact]
    public void Every_jump_to_the_owned_chain_is_found_even_one_someone_else_wrote()
    {
        const string foreignJump = "-A POSTROUTING -o eth1 -j ROUTERADMIN-SNAT";

        var live = Live(NatTable(":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]", JumpLine, MasqueradeLine, foreignJump));

        Assert.Equal([(1, JumpLine), (3, foreignJump)], live.Owned.Jumps.Select(j => (j.Position, j.Rule.SaveLine)));
    }

    [Fact]
    public void The_owned_rules_are_those_of_the_owned_chains_in_order()
    {
        var first = Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.2", "Alice to Contivity");
        var second = Snat("192.168.1.3", "198.51.100.10/32", "203.0.113.3", "Bob to Contivity");
        const string masq = "-A ROUTERADMIN-MASQ -s 192.168.1.0/24 -o eth1 -m comment --comment \"routeradmin: LAN masquerade\" -j MASQUERADE";

        var owned = Live(NatTable(":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]", JumpLine, first, second, masq)).Owned;

        Assert.Equal([first, second], owned.SnatRules.Select(r => r.SaveLine));
        Assert.Equal([masq], owned.MasqueradeRules.Select(r => r.SaveLine));
        Assert.Equal(
            [new FoundMapping(IPNetwork.Parse("192.168.1.2/32"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.2")),
             new FoundMapping(IPNetwork.Parse("192.168.1.3/32"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.3"))],
            owned.Mappings);
    }

    [Fact]
    public void A_router_RouterAdmin_never_touched_owns_nothing()
    {
        var live = Live(NatTable(MasqueradeLine), ByHand("203.0.113.2"));

        Assert.True(live.Owned.IsEquivalentTo(OwnedState.Nothing));
    }

    [Fact]
    public void The_chains_only_count_as_existing_when_both_are_there()
    {
        Assert.False(Live(NatTable(":ROUTERADMIN-SNAT - [0:0]")).Owned.ChainsExist);
        Assert.False(Live(NatTable(":ROUTERADMIN-MASQ - [0:0]")).Owned.ChainsExist);
        Assert.True(Live(NatTable(":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]")).Owned.ChainsExist);
    }

    [Fact]
    public void Only_addresses_with_RouterAdmins_label_are_owned_sorted_by_interface_then_numerically()
    {
        var live = Live(NatTable(),
            Owned("203.0.113.10"), ByHand("203.0.113.2"), Owned("203.0.113.9"), Owned("198.51.100.200", "eth0"),
            new LiveAddress(new BoundAddress(IPAddress.Parse("203.0.113.50"), 24, "eth1"), "eth1:other"));

        Assert.Equal(["198.51.100.200/24 dev eth0", "203.0.113.9/24 dev eth1", "203.0.113.10/24 dev eth1"], live.Owned.Addresses.Select(a => a.ToString()));
        Assert.Equal(5, live.Addresses.Count);
    }

    [Fact]
    public void Addresses_and_labels_are_read_from_real_ip_json_output()
    {
        // ip -j -4 addr show, iproute2 on Debian, after: ip addr add 203.0.113.10/24 dev lo label lo:ra; ip addr add 203.0.113.9/24 dev lo
        const string json = """[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"203.0.113.10","prefixlen":24,"scope":"global","label":"lo:ra","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"203.0.113.9","prefixlen":24,"scope":"global","secondary":true,"label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":2,"ifname":"eth9","addr_info":[]}]""";

        var addresses = IpAddrJsonParser.Parse(json);
        var live = LiveStateBuilder.Build(NatTable(), addresses);

        Assert.Equal(
            [("127.0.0.1/8 dev lo", "lo", false), ("203.0.113.10/24 dev lo", "lo:ra", true), ("203.0.113.9/24 dev lo", "lo", false)],
            addresses.Select(a => (a.Bound.ToString(), a.Label, a.IsOwned)));
        Assert.Equal([new BoundAddress(IPAddress.Parse("203.0.113.10"), 24, "lo")], live.Owned.Addresses);
    }

    [Fact]
    public void The_text_iptables_save_printed_is_kept_for_the_record()
    {
        Assert.Equal(RealIptablesSave, Live(RealIptablesSave).NatTableText);
    }
}
