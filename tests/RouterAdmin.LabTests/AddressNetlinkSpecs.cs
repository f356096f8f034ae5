using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Netlink;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// The console reads the router's addresses over rtnetlink instead of starting <c>ip</c>: on the real kernel it must
/// read exactly what <c>ip -j -4 addr show</c> prints, labels (RouterAdmin's mark on the addresses it bound) included.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AddressNetlinkSpecs
{
    [LabFact]
    public async Task The_addresses_read_over_netlink_are_the_ones_ip_lists_with_their_labels()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        // One address with RouterAdmin's label, one with a label of someone else's, one secondary without a label.
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "add", "203.0.113.201/24", "dev", NetnsLab.WanInterface, "label", NetnsLab.WanInterface + ":ra");
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "add", "203.0.113.202/24", "dev", NetnsLab.WanInterface, "label", NetnsLab.WanInterface + ":vpn");
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "add", "10.99.0.1/16", "dev", "lo");
        using var reader = new AddressNetlink(Options.Create(new FirewallOptions { Namespace = lab.RouterNamespace }));

        var read = await reader.ReadAsync();
        var listed = IpAddrJsonParser.Parse(await lab.ExecAsync(lab.RouterNamespace, "ip", "-j", "-4", "addr", "show"));

        Assert.Equal(Ordered(listed), Ordered(read));
        Assert.Contains(read, a => a.Bound.Address.ToString() == "203.0.113.201" && a.IsOwned);
        Assert.Contains(read, a => a.Bound.Address.ToString() == "203.0.113.202" && !a.IsOwned && a.Label == NetnsLab.WanInterface + ":vpn");
        Assert.Contains(read, a => a.Bound.ToString() == "10.99.0.1/16 dev lo");
    }

    private static string[] Ordered(IEnumerable<RouterAdmin.Firewall.Model.LiveAddress> addresses) =>
        addresses.Select(a => $"{a.Bound} label {a.Label}").Order(StringComparer.Ordinal).ToArray();
}
