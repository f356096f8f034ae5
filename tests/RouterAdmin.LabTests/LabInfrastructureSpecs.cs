using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>The lab itself: its topology, its in-process namespace sockets, and its cleanup when setup fails.</summary>
public sealed class LabInfrastructureSpecs
{
    [LabFact]
    public async Task A_socket_opened_through_setns_lives_in_the_namespace_and_the_caller_stays_where_it_was()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 1 }, ct);
        var hostNamespace = CurrentThreadNamespace();

        var labNamespace = await Netns.RunAsync(lab.VpnNamespace, CurrentThreadNamespace);
        using var inVpn = await Netns.OpenSocketAsync(lab.VpnNamespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var inHost = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        Assert.Equal((await lab.ExecAsync(lab.VpnNamespace, "readlink", "/proc/self/ns/net")).Trim(), labNamespace);
        Assert.NotEqual(hostNamespace, labNamespace);
        Assert.Equal(hostNamespace, CurrentThreadNamespace());
        inVpn.Bind(new IPEndPoint(NetnsLab.VpnServer, 0)); // 198.51.100.10 exists only inside the vpn namespace
        var error = Assert.Throws<SocketException>(() => inHost.Bind(new IPEndPoint(NetnsLab.VpnServer, 0)));
        Assert.Equal(SocketError.AddressNotAvailable, error.SocketErrorCode);
    }

    [LabFact]
    public async Task A_sysctl_written_through_setns_changes_only_that_namespace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 1 }, ct);
        var hostBefore = File.ReadAllText("/proc/sys/net/ipv4/ip_forward");

        await Netns.WriteSysctlAsync(lab.VpnNamespace, "net.ipv4.ip_forward", "1");

        Assert.Equal("1", (await lab.ExecAsync(lab.VpnNamespace, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.Equal("0", (await lab.ExecAsync(lab.Clients[0].Namespace, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.Equal(hostBefore, File.ReadAllText("/proc/sys/net/ipv4/ip_forward"));
    }

    [LabFact]
    public async Task The_lab_builds_the_documented_topology()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 4, BindAliases = true }, ct);

        Assert.Matches("^ra-[0-9a-f]{6}$", lab.Prefix);
        Assert.Equal(["192.168.1.2", "192.168.1.3", "192.168.1.4", "192.168.1.5"], lab.Clients.Select(c => c.Address.ToString()));
        Assert.Equal(["192.168.1.1/24"], await AddressesAsync(lab, lab.RouterNamespace, NetnsLab.BridgeInterface));
        Assert.Equal(["203.0.113.1/24", "203.0.113.2/24", "203.0.113.3/24", "203.0.113.4/24", "203.0.113.5/24", "203.0.113.6/24"],
            await AddressesAsync(lab, lab.RouterNamespace, NetnsLab.WanInterface));
        Assert.Equal(["203.0.113.254/24"], await AddressesAsync(lab, lab.VpnNamespace, "eth0"));
        Assert.Contains("198.51.100.10/32", await AddressesAsync(lab, lab.VpnNamespace, "lo"));
        Assert.Equal(["192.168.1.3/24"], await AddressesAsync(lab, lab.Clients[1].Namespace, "eth0"));
        Assert.Equal("1", (await lab.ExecAsync(lab.RouterNamespace, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.StartsWith("default via 203.0.113.254 dev wan", await lab.ExecAsync(lab.RouterNamespace, "ip", "route", "show", "default"));
        Assert.StartsWith("default via 192.168.1.1 dev eth0", await lab.ExecAsync(lab.Clients[3].Namespace, "ip", "route", "show", "default"));
        Assert.Contains("-A POSTROUTING -s 192.168.1.0/24 -o wan -j MASQUERADE", await lab.ExecAsync(lab.RouterNamespace, "iptables-save", "-t", "nat"));
    }

    [LabFact]
    public async Task Without_masquerade_the_nat_table_has_no_rule()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 1, Masquerade = false }, ct);

        var nat = await lab.ExecAsync(lab.RouterNamespace, "iptables-save", "-t", "nat");

        Assert.DoesNotContain("MASQUERADE", nat);
        Assert.Equal(["203.0.113.1/24"], await AddressesAsync(lab, lab.RouterNamespace, NetnsLab.WanInterface));
    }

    [LabFact]
    public async Task A_failed_setup_removes_the_namespaces_it_had_created()
    {
        var ct = TestContext.Current.CancellationToken;

        var failure = await Assert.ThrowsAsync<NetnsLabSetupException>(
            () => NetnsLab.CreateAsync(new LabOptions { FailAfterStep = "addresses and routes" }, ct));

        Assert.Equal("addresses and routes", failure.Step);
        Assert.Empty(NetnsLab.ExistingNamespaces(failure.Prefix));
    }

    [LabFact]
    public async Task A_failing_command_reports_its_command_line_and_stderr()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 1 }, ct);

        var failure = await Assert.ThrowsAsync<LabCommandException>(() => lab.IptablesAsync("-t", "nat", "-D", "POSTROUTING", "99"));
        var result = await lab.TryExecAsync(lab.RouterNamespace, "iptables", "-t", "nat", "-D", "POSTROUTING", "99");

        Assert.Contains("iptables -t nat -D POSTROUTING 99", failure.Message);
        Assert.Contains("Index of deletion too big", failure.Message);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Index of deletion too big", result.StandardError);
    }

    [LabFact]
    public async Task A_live_esp_flow_keeps_sending_until_stopped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 1 }, ct);
        var receiver = await lab.StartEspReceiverAsync(ct);
        // One packet first, so the path's neighbours are resolved: a loaded machine can take longer to answer ARP than
        // the kernel queues packets for (3), and this spec counts every packet of the flow.
        await using var marker = await lab.OpenEspSenderAsync(lab.Clients[0], ct);
        await marker.SendAsync(NetnsLab.VpnServer, 0xF0, 1, TimeSpan.FromMilliseconds(1), ct);
        Assert.True(await receiver.WaitForCountAsync(0xF0, 1, TimeSpan.FromSeconds(10), ct));

        var flow = await lab.StartEspFlowAsync(lab.Clients[0], 0xF1, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0xF1, 5, TimeSpan.FromSeconds(10), ct));
        await flow.StopAsync();
        var sent = flow.LastSequence;
        Assert.True(await receiver.WaitForCountAsync(0xF1, (int)sent, TimeSpan.FromSeconds(10), ct));
        // A marker on the same path after the stop: once it has arrived, anything the flow sent before it has too.
        await marker.SendAsync(NetnsLab.VpnServer, 0xF2, 1, TimeSpan.FromMilliseconds(1), ct);
        Assert.True(await receiver.WaitForCountAsync(0xF2, 1, TimeSpan.FromSeconds(10), ct));

        Assert.Equal(sent, flow.LastSequence);
        Assert.Equal((int)sent, receiver.CountFor(0xF1));
        Assert.Equal(0, flow.SendErrors);
    }

    // e.g. "net:[4026532284]": the identity of the calling OS thread's network namespace.
    private static string CurrentThreadNamespace() =>
        new FileInfo("/proc/thread-self/ns/net").LinkTarget ?? throw new InvalidOperationException("no /proc/thread-self/ns/net");

    private static async Task<string[]> AddressesAsync(NetnsLab lab, string ns, string device)
    {
        using var json = JsonDocument.Parse(await lab.ExecAsync(ns, "ip", "-j", "-4", "addr", "show", "dev", device));
        return [.. json.RootElement.EnumerateArray()
            .SelectMany(link => link.GetProperty("addr_info").EnumerateArray())
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")];
    }
}
