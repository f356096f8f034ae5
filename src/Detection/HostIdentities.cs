using System.Net;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Inventory;

namespace RouterAdmin.Detection;

/// <summary>Who a LAN host is beyond its address, when anything knows: its MAC and its name.</summary>
public sealed record HostIdentity(string? Mac, string? Hostname)
{
    public static readonly HostIdentity Unknown = new(null, null);
}

/// <summary>The router's neighbour table (ARP), or nothing where there is no kernel to ask.</summary>
public interface INeighbourTable
{
    Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct);
}

/// <summary><c>ip -j -4 neigh show</c> on the router, through the same runner (and namespace) as every other tool.</summary>
public sealed class KernelNeighbourTable(HostTools host) : INeighbourTable
{
    public Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct) => host.ReadNeighboursAsync(ct);
}

/// <summary>The simulated router has no neighbours to ask about.</summary>
public sealed class NoNeighbourTable : INeighbourTable
{
    public Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Neighbour>>([]);
}

/// <summary>
/// Names the hosts of a check: the MAC from the kernel's neighbour table (else the one the inventory holds, else the DHCP
/// lease's), the hostname from the inventory's client name (else the lease's, when <c>RouterAdmin:Detection:LeasesFile</c>
/// names a dnsmasq lease file). Read only when a check found someone, and never a reason for the check to fail.
/// </summary>
public sealed class HostIdentities(INeighbourTable neighbours, IOptions<DetectionOptions> options, ILogger<HostIdentities> logger)
{
    public async Task<IReadOnlyDictionary<IPAddress, HostIdentity>> LookUpAsync(IReadOnlyCollection<IPAddress> hosts, InventorySnapshot inventory, CancellationToken ct)
    {
        if (hosts.Count == 0) return new Dictionary<IPAddress, HostIdentity>();
        var macs = await ReadNeighboursAsync(ct);
        var leases = await ReadLeasesAsync(ct);
        var clients = inventory.Clients.GroupBy(c => c.LanAddress).ToDictionary(g => g.Key, g => g.First());
        return hosts.Distinct().ToDictionary(host => host, host =>
        {
            var client = clients.GetValueOrDefault(host);
            var lease = leases.GetValueOrDefault(host);
            var clientMac = client?.MacAddress is { } typed && MacAddresses.TryNormalize(typed, out var m) ? m : null;
            return new HostIdentity(macs.GetValueOrDefault(host) ?? clientMac ?? lease?.Mac, client?.Name ?? lease?.Hostname);
        });
    }

    private async Task<Dictionary<IPAddress, string>> ReadNeighboursAsync(CancellationToken ct)
    {
        try
        {
            return (await neighbours.ReadAsync(ct)).GroupBy(n => n.Address).ToDictionary(g => g.Key, g => g.First().Mac);
        }
        catch (FirewallCommandException e)
        {
            logger.LogWarning("Reading the neighbour table for the VPN users' MACs failed: {Message}", e.Message);
            return [];
        }
    }

    private async Task<IReadOnlyDictionary<IPAddress, DhcpLease>> ReadLeasesAsync(CancellationToken ct)
    {
        if (options.Value.LeasesFile is not { Length: > 0 } path) return new Dictionary<IPAddress, DhcpLease>();
        try
        {
            return DnsmasqLeases.Parse(await File.ReadAllTextAsync(path, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Reading the DHCP lease file {Path} failed: {Message}", path, e.Message);
            return new Dictionary<IPAddress, DhcpLease>();
        }
    }
}

public sealed record DhcpLease(IPAddress Address, string Mac, string? Hostname);

/// <summary>
/// dnsmasq's lease file (<c>/var/lib/misc/dnsmasq.leases</c>): one IPv4 lease a line, <c>expiry mac address hostname
/// client-id</c>, with <c>*</c> for a host that sent no name. IPv6 leases (after the <c>duid</c> line) are left out.
/// </summary>
public static class DnsmasqLeases
{
    public static IReadOnlyDictionary<IPAddress, DhcpLease> Parse(string text)
    {
        var leases = new Dictionary<IPAddress, DhcpLease>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 4 || !MacAddresses.TryNormalize(words[1], out var mac)) continue;
            if (!IPAddress.TryParse(words[2], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) continue;
            var hostname = words[3] == "*" ? null : words[3];
            // A later line is a newer lease of the same address.
            leases[address] = new DhcpLease(address, mac, hostname);
        }
        return leases;
    }
}
