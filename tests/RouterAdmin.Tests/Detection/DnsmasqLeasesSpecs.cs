using System.Net;
using RouterAdmin.Detection;
using Xunit;

namespace RouterAdmin.Tests.Detection;

/// <summary>dnsmasq's lease file, as it writes it: IPv4 leases, a host that sent no name, and the IPv6 part after the duid line.</summary>
public sealed class DnsmasqLeasesSpecs
{
    private const string Leases = """
        1764687600 92:46:23:6f:d5:0f 192.168.1.2 ann-laptop 01:92:46:23:6f:d5:0f
        1764687601 5E:49:36:BA:89:EC 192.168.1.9 * *
        1764687602 aa:bb:cc:dd:ee:ff not-an-address broken *
        short line
        duid 00:01:00:01:2c:4f:5a:11:52:54:00:12:34:56
        1764687603 1234567 fd00::9 ann-laptop 00:01:00:01:2c:4f:5a:11:52:54:00:aa:bb:cc
        1764687700 92:46:23:6f:d5:10 192.168.1.2 ann-new-laptop *
        """;

    [Fact]
    public void Each_ipv4_lease_names_its_mac_and_hostname_and_a_later_line_wins()
    {
        var leases = DnsmasqLeases.Parse(Leases);

        Assert.Equal(2, leases.Count);
        Assert.Equal(new DhcpLease(IPAddress.Parse("192.168.1.2"), "92:46:23:6f:d5:10", "ann-new-laptop"), leases[IPAddress.Parse("192.168.1.2")]);
        Assert.Equal(new DhcpLease(IPAddress.Parse("192.168.1.9"), "5e:49:36:ba:89:ec", null), leases[IPAddress.Parse("192.168.1.9")]);
    }

    [Fact]
    public void An_empty_file_has_no_leases() => Assert.Empty(DnsmasqLeases.Parse(""));
}
