using System.Net;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>
/// conntrack's and the neighbour table's words as this kernel printed them in a lab (kernel 6.18, conntrack 1.4.7,
/// iproute2 6.1): the ports of an IKE flow the masquerade remapped, and which MAC each LAN host answered from.
/// </summary>
public sealed class KernelTableParserSpecs
{
    // Two hosts' IKE behind one masquerade address: the second leaves from port 173 instead of 500.
    private const string Conntrack = """
        udp      17 29 src=192.168.1.3 dst=198.51.100.10 sport=500 dport=500 src=198.51.100.10 dst=203.0.113.1 sport=500 dport=173 mark=0 use=1
        udp      17 27 src=192.168.1.2 dst=198.51.100.10 sport=500 dport=500 src=198.51.100.10 dst=203.0.113.1 sport=500 dport=500 mark=0 use=1
        udp      17 28 src=192.168.1.2 dst=198.51.100.10 sport=4500 dport=4500 [UNREPLIED] src=198.51.100.10 dst=203.0.113.1 sport=4500 dport=4500 mark=0 use=1
        unknown  50 599 src=192.168.1.2 dst=198.51.100.10 [UNREPLIED] src=198.51.100.10 dst=203.0.113.1 mark=0 use=1
        conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.
        """;

    [Fact]
    public void A_udp_entry_carries_its_ports_and_the_port_it_leaves_from_after_nat()
    {
        var entries = ConntrackParser.Parse(Conntrack);

        Assert.Equal(4, entries.Count);
        var remapped = entries[0];
        Assert.Equal(("192.168.1.3", "203.0.113.1", 500, 500, 173), (remapped.Source, remapped.ReplyDestination, remapped.SourcePort, remapped.DestinationPort, remapped.ReplyDestinationPort));
        Assert.True(remapped.IsIkeExchange);
        Assert.False(remapped.IsNatTraversal);
        Assert.True(entries[2].IsNatTraversal);
        Assert.False(entries[2].IsIkeExchange);
    }

    [Fact]
    public void An_esp_entry_has_no_ports()
    {
        var esp = ConntrackParser.Parse(Conntrack)[3];

        Assert.True(esp.IsEsp);
        Assert.Equal((null, null, null), (esp.SourcePort, esp.DestinationPort, esp.ReplyDestinationPort));
        Assert.Equal(599, esp.TimeoutSeconds);
    }

    [Fact]
    public void The_neighbour_table_names_each_hosts_mac_and_leaves_out_the_ones_without_one()
    {
        const string json = """
            [{"dst":"203.0.113.254","dev":"wan","lladdr":"0e:58:de:83:a1:5f","state":["REACHABLE"]},
             {"dst":"192.168.1.3","dev":"br0","lladdr":"5E:49:36:BA:89:EC","state":["STALE"]},
             {"dst":"192.168.1.7","dev":"br0","state":["FAILED"]},
             {"dst":"192.168.1.8","dev":"br0","lladdr":"00:00:00:00","state":["PERMANENT"]},
             {"dst":"fe80::1","dev":"br0","lladdr":"92:46:23:6f:d5:0f","router":null,"state":["REACHABLE"]}]
            """;

        var neighbours = IpNeighJsonParser.Parse(json);

        Assert.Equal(
        [
            new Neighbour(IPAddress.Parse("203.0.113.254"), "wan", "0e:58:de:83:a1:5f"),
            new Neighbour(IPAddress.Parse("192.168.1.3"), "br0", "5e:49:36:ba:89:ec"),
        ], neighbours);
        Assert.Empty(IpNeighJsonParser.Parse(""));
        Assert.Empty(IpNeighJsonParser.Parse("[]"));
    }
}
