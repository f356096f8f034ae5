using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends;

/// <summary>
/// The router's addresses (read over rtnetlink, <see cref="Netlink.AddressNetlink"/>; changed with <c>ip</c>) and
/// connection tracking (<c>conntrack -L</c> to list; an apply's deletes over netlink, <see cref="Netlink.ConntrackNetlink"/>):
/// the same whatever syntax the rules are written in, so every real backend runs them through here.
/// </summary>
public sealed class HostTools(CommandRunner runner, Netlink.AddressNetlink addresses, Netlink.ConntrackNetlink conntrack, IOptions<FirewallOptions> options) : IHostNetwork
{
    private FirewallOptions Options => options.Value;

    public Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken) => addresses.ReadAsync();

    /// <summary>The kernel's IPv4 neighbour table: which MAC each LAN host answered ARP from.</summary>
    public async Task<IReadOnlyList<Neighbour>> ReadNeighboursAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(Options.Paths.Ip, ["-j", "-4", "neigh", "show"], cancellationToken: cancellationToken);
        return IpNeighJsonParser.Parse(output.StandardOutput);
    }

    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.Paths.Ip, AddAddressArguments(address), cancellationToken: cancellationToken);

    public Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.Paths.Ip, DeleteAddressArguments(address), cancellationToken: cancellationToken);

    public async Task<FoundFlows> FindFlowsAsync(IReadOnlyList<FlowKey> flows, CancellationToken cancellationToken) =>
        flows.Count == 0 ? FoundFlows.None : new FoundFlows(await conntrack.FindAsync(flows));

    public Task<int> DeleteFlowsAsync(FoundFlows found, CancellationToken cancellationToken) => conntrack.DeleteAsync(found.Entries);

    public async Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken)
    {
        // A failed listing must not read as "no connections": the apply would then skip resets it needs.
        var output = await runner.RunAsync(Options.Paths.Conntrack, ["-L"], cancellationToken: cancellationToken);
        return ConntrackParser.Parse(output.StandardOutput);
    }

    public string DescribeAddAddress(BoundAddress address) => runner.Describe(Options.Paths.Ip, AddAddressArguments(address));
    public string DescribeDeleteAddress(BoundAddress address) => runner.Describe(Options.Paths.Ip, DeleteAddressArguments(address));
    public string DescribeResetFlow(FlowKey flow) =>
        $"conntrack -D {string.Join(' ', ResetFlowArguments(flow).Skip(1))}   (over netlink from the console{(string.IsNullOrEmpty(Options.Namespace) ? "" : $", network namespace {Options.Namespace}")})";

    private static string[] AddAddressArguments(BoundAddress a) =>
        ["addr", "add", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface, "label", a.OwnedLabel];

    private static string[] DeleteAddressArguments(BoundAddress a) =>
        ["addr", "del", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface];

    private static string[] ResetFlowArguments(FlowKey flow)
    {
        var args = new List<string> { "-D", "-s", flow.Source.BaseAddress.ToString() };
        if (flow.Source.PrefixLength < 32) args.AddRange(["--mask-src", Domain.Ipv4.FromUInt32(Domain.Ipv4.Mask(flow.Source.PrefixLength)).ToString()]);
        args.AddRange(["-d", flow.Destination.BaseAddress.ToString()]);
        if (flow.Destination.PrefixLength < 32) args.AddRange(["--mask-dst", Domain.Ipv4.FromUInt32(Domain.Ipv4.Mask(flow.Destination.PrefixLength)).ToString()]);
        return [.. args];
    }
}
