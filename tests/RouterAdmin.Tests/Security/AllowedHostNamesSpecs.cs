using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.Tests.Security;

/// <summary>The Host names the console answers to when AllowedHosts is not set: those of the addresses it listens on.</summary>
public sealed class AllowedHostNamesSpecs
{
    [Fact]
    public void A_lan_address_allows_only_itself()
    {
        Assert.Equal(["192.168.1.1"], AllowedHostNames.FromUrls(["http://192.168.1.1:5080"]));
    }

    [Fact]
    public void A_loopback_address_allows_the_loopback_names_too()
    {
        Assert.Equal(["127.0.0.1", "localhost", "[::1]"], AllowedHostNames.FromUrls(["http://127.0.0.1:0"]));
    }

    [Theory]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://[::]:5080")]
    public void An_address_on_every_interface_allows_each_interfaces_address_and_the_machine_name_but_no_other_name(string url)
    {
        var hosts = AllowedHostNames.FromUrls([url]);

        Assert.Contains("127.0.0.1", hosts);
        Assert.Contains(System.Net.Dns.GetHostName(), hosts);
        Assert.DoesNotContain("*", hosts);
        Assert.DoesNotContain(hosts, h => h.Contains('*', StringComparison.Ordinal));
    }
}
