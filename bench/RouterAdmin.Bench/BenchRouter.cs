using System.Security.Cryptography;
using System.Text;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.Bench;

/// <summary>
/// A throw-away router in its own network namespace: a veth "wan" (203.0.113.1/24) whose peer lives in a second
/// namespace (with the benchmark's VPN endpoints on its loopback), a veth "lan" (10.0.0.1/16) whose peer is a client
/// namespace, forwarding on, and the general LAN masquerade that RouterAdmin does not own. Every veth end is created
/// inside the namespaces, so nothing ever appears in the host's namespace. Deleted on dispose.
/// </summary>
public sealed class BenchRouter : IAsyncDisposable
{
    public const string WanInterface = "wan";
    public const string LanInterface = "lan";
    public const string LanSubnet = "10.0.0.0/16";
    public const string LanAddress = "10.0.0.1/16";
    public const string WanAddress = "203.0.113.1/24";
    private const string PeerAddress = "203.0.113.254/24";
    private const string PeerGateway = "203.0.113.254";
    private const string LanGateway = "10.0.0.1";

    /// <summary>RouterAdmin's nftables table (the default RouterAdmin:Firewall:NftTable), which ResetAsync removes.</summary>
    public const string NftTable = "routeradmin";

    private string _baselineNatTable = "";
    private int _disposed;

    private BenchRouter(string prefix)
    {
        Prefix = prefix;
        RouterNamespace = $"{prefix}-router";
        PeerNamespace = $"{prefix}-peer";
        ClientNamespace = $"{prefix}-client";
    }

    /// <summary>e.g. <c>ra-bench-3f9a0c</c>; all three namespaces start with it.</summary>
    public string Prefix { get; }
    public string RouterNamespace { get; }

    /// <summary>The WAN side: the far end of "wan", holding every VPN endpoint of the benchmark's inventory on its loopback.</summary>
    public string PeerNamespace { get; }

    /// <summary>The LAN side: the far end of "lan", where the per-flow benchmark's client addresses live.</summary>
    public string ClientNamespace { get; }

    private readonly HashSet<string> _clientAddresses = [];

    public static async Task<BenchRouter> CreateAsync(CancellationToken ct)
    {
        var router = new BenchRouter("ra-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        try
        {
            await Shell.RunAsync("ip", ["-batch", "-"], new StringBuilder()
                .AppendLine($"netns add {router.RouterNamespace}")
                .AppendLine($"netns add {router.PeerNamespace}")
                .AppendLine($"netns add {router.ClientNamespace}")
                .AppendLine($"link add {WanInterface} netns {router.RouterNamespace} type veth peer name eth0 netns {router.PeerNamespace}")
                .AppendLine($"link add {LanInterface} netns {router.RouterNamespace} type veth peer name eth0 netns {router.ClientNamespace}")
                .ToString(), ct);
            await Shell.RunAsync("ip", ["-n", router.RouterNamespace, "-batch", "-"], new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine($"addr add {WanAddress} dev {WanInterface}")
                .AppendLine($"link set {WanInterface} up")
                .AppendLine($"addr add {LanAddress} dev {LanInterface}")
                .AppendLine($"link set {LanInterface} up")
                .AppendLine($"route add default via {PeerGateway} dev {WanInterface}")
                .ToString(), ct);
            var peer = new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine($"addr add {PeerAddress} dev eth0")
                .AppendLine("link set eth0 up");
            // The VPN endpoints are local addresses of the peer, so the per-flow benchmark's datagrams end there.
            foreach (var i in Enumerable.Range(0, BenchInventory.EndpointCount))
                peer.AppendLine($"addr add {BenchInventory.EndpointAddressOf(i)}/32 dev lo");
            await Shell.RunAsync("ip", ["-n", router.PeerNamespace, "-batch", "-"], peer.ToString(), ct);
            await Shell.RunAsync("ip", ["-n", router.ClientNamespace, "-batch", "-"], new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine("link set eth0 up")
                .AppendLine($"route add default via {LanGateway} dev eth0 onlink")
                .ToString(), ct);
            await Netns.WriteSysctlAsync(router.RouterNamespace, "net.ipv4.ip_forward", "1");
            await router.ExecAsync("iptables", ["-t", "nat", "-A", "POSTROUTING", "-s", LanSubnet, "-o", WanInterface, "-j", "MASQUERADE"], ct: ct);
            router._baselineNatTable = await router.SaveNatTableAsync(ct);
            return router;
        }
        catch
        {
            await router.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>ip netns exec ROUTER program args…</c>, as RouterAdmin runs its own tools when configured with a namespace.</summary>
    public Task<string> ExecAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken ct = default) =>
        Shell.RunAsync("ip", ["netns", "exec", RouterNamespace, program, .. arguments], standardInput, ct);

    public Task<string> SaveNatTableAsync(CancellationToken ct = default) => ExecAsync("iptables-save", ["-t", "nat"], ct: ct);

    /// <summary>
    /// Back to a router RouterAdmin never touched: the nat table exactly as it was after creation (owned chains and
    /// jump gone, the foreign MASQUERADE kept; a restore without --noflush replaces the whole table in one
    /// transaction), and no RouterAdmin nftables table ("add" first, so the delete works when there is none).
    /// </summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await ExecAsync("iptables-restore", [], _baselineNatTable, ct);
        await ExecAsync("nft", ["-f", "-"], $"add table ip {NftTable}\ndelete table ip {NftTable}\n", ct);
        var now = await SaveNatTableAsync(ct);
        if (now.Contains("ROUTERADMIN", StringComparison.Ordinal))
            throw new InvalidOperationException("Resetting the bench router left RouterAdmin's chains in place.");
    }

    /// <summary>How many rules the nat table holds in <paramref name="chain"/>: the benchmarks check their end state with it.</summary>
    public async Task<int> CountRulesAsync(string chain, CancellationToken ct = default)
    {
        var prefix = $"-A {chain} ";
        return (await SaveNatTableAsync(ct)).Split('\n').Count(line => line.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Gives the client namespace one more LAN address (a /16 on its eth0), once: the per-flow sender binds to it.</summary>
    public async Task AddClientAddressAsync(System.Net.IPAddress address, CancellationToken ct = default)
    {
        if (!_clientAddresses.Add(address.ToString())) return;
        await Shell.RunAsync("ip", ["-n", ClientNamespace, "addr", "add", $"{address}/16", "dev", "eth0"], ct: ct);
    }

    // Never takes a cancellation token: the namespaces must go also when the run was interrupted.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // -force keeps going past a namespace that was never created; deleting one end's namespace deletes the veth pair.
        try
        {
            await Shell.RunAsync("ip", ["-force", "-batch", "-"], $"netns del {RouterNamespace}\nnetns del {PeerNamespace}\nnetns del {ClientNamespace}\n");
        }
        catch (InvalidOperationException)
        {
            // ip -force reports the namespaces it could not find; what matters is checked below.
        }
        var left = new[] { RouterNamespace, PeerNamespace, ClientNamespace }.Where(ns => File.Exists(Path.Combine("/run/netns", ns))).ToArray();
        if (left.Length > 0)
            throw new InvalidOperationException($"Could not delete the bench namespaces {string.Join(", ", left)}; remove them with `ip netns del`.");
    }
}
