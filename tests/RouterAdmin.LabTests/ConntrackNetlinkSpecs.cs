using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Netlink;
using RouterAdmin.Firewall.Model;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// The conntrack deletes an apply makes, over netlink from the console, against the real kernel's table in the router's
/// namespace: entries the kernel really holds (made with <c>conntrack -I</c>), found and deleted exactly as
/// <c>conntrack -D -s … -d …</c> would, and nothing of anyone else's.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConntrackNetlinkSpecs
{
    // Addresses no lab host has, so no traffic of the lab's own (its readiness pings, say) adds entries between them.
    private static readonly IPAddress Server = IPAddress.Parse("198.51.100.210");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.211");
    private static readonly IPAddress First = IPAddress.Parse("192.168.1.210");
    private static readonly IPAddress Second = IPAddress.Parse("192.168.1.211");

    [LabFact]
    public async Task One_hosts_flow_to_one_server_finds_and_deletes_its_entries_of_every_protocol_and_no_others()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        using var conntrack = new ConntrackNetlink(Options.Create(new FirewallOptions { Namespace = lab.RouterNamespace }));
        var (mine, neighbour) = (First, Second);
        await InsertAsync(lab, mine, Server, "udp", 500, 500);
        await InsertAsync(lab, mine, Server, "tcp", 40000, 443);
        await InsertAsync(lab, mine, Other, "udp", 500, 500);
        await InsertAsync(lab, neighbour, Server, "udp", 500, 500);

        var found = await conntrack.FindAsync([new FlowKey(Host(mine), Host(Server))]);

        Assert.Equal(2, found.Count);
        Assert.All(found, e => Assert.Equal((mine, Server), (e.Source, e.Destination)));
        Assert.Equal(2, await conntrack.DeleteAsync(found));
        var left = await ListAsync(lab);
        Assert.Equal(2, left.Length);
        Assert.Contains(left, l => l.Contains($"src={mine} dst={Other}", StringComparison.Ordinal));
        Assert.Contains(left, l => l.Contains($"src={neighbour} dst={Server}", StringComparison.Ordinal));
        // Deleting again finds the entries gone: that counts nothing and is no failure.
        Assert.Equal(0, await conntrack.DeleteAsync(found));
    }

    [LabFact]
    public async Task Networks_and_several_flows_are_matched_by_mask_in_one_dump()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        using var conntrack = new ConntrackNetlink(Options.Create(new FirewallOptions { Namespace = lab.RouterNamespace }));
        var (first, second) = (First, Second);
        await InsertAsync(lab, first, Server, "udp", 500, 500);
        await InsertAsync(lab, second, Server, "udp", 4500, 4500);
        await InsertAsync(lab, first, Other, "udp", 500, 500);

        var lan = IPNetwork.Parse($"{first}/24");
        var found = await conntrack.FindAsync([new FlowKey(lan, Host(Server)), new FlowKey(Host(first), IPNetwork.Parse("203.0.113.0/24"))]);

        Assert.Equal([first, second], found.Select(e => e.Source).Order(Comparer<IPAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()))));
        Assert.Equal(2, await conntrack.DeleteAsync(found));
        Assert.Contains($"src={first} dst={Other}", Assert.Single(await ListAsync(lab)));
    }

    private static IPNetwork Host(IPAddress address) => new(address, 32);

    private static Task<string> InsertAsync(NetnsLab lab, IPAddress source, IPAddress destination, string protocol, int sourcePort, int destinationPort) =>
        lab.ExecAsync(lab.RouterNamespace, "conntrack", ["-I", "-s", source.ToString(), "-d", destination.ToString(), "-p", protocol,
            "--sport", sourcePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dport", destinationPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "120",
            .. (protocol == "tcp" ? new[] { "--state", "ESTABLISHED" } : [])]);

    private static async Task<string[]> ListAsync(NetnsLab lab) =>
        (await lab.ExecAsync(lab.RouterNamespace, "conntrack", "-L")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains($"src={First} ", StringComparison.Ordinal) || line.Contains($"src={Second} ", StringComparison.Ordinal)).ToArray();
}
