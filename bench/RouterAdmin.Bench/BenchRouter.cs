using System.Security.Cryptography;
using System.Text;

namespace RouterAdmin.Bench;

/// <summary>
/// A throw-away router in its own network namespace: a veth "wan" (203.0.113.1/24) whose peer lives in a second
/// namespace, and the general LAN masquerade that RouterAdmin does not own. Both ends of the veth are created inside
/// the namespaces, so nothing ever appears in the host's namespace. Deleted on dispose.
/// </summary>
public sealed class BenchRouter : IAsyncDisposable
{
    public const string WanInterface = "wan";
    public const string LanSubnet = "10.0.0.0/16";
    public const string WanAddress = "203.0.113.1/24";
    private const string PeerAddress = "203.0.113.254/24";

    private string _baselineNatTable = "";
    private int _disposed;

    private BenchRouter(string prefix)
    {
        Prefix = prefix;
        RouterNamespace = $"{prefix}-router";
        PeerNamespace = $"{prefix}-peer";
    }

    /// <summary>e.g. <c>ra-bench-3f9a0c</c>; both namespaces start with it.</summary>
    public string Prefix { get; }
    public string RouterNamespace { get; }
    public string PeerNamespace { get; }

    public static async Task<BenchRouter> CreateAsync(CancellationToken ct)
    {
        var router = new BenchRouter("ra-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        try
        {
            await Shell.RunAsync("ip", ["-batch", "-"], new StringBuilder()
                .AppendLine($"netns add {router.RouterNamespace}")
                .AppendLine($"netns add {router.PeerNamespace}")
                .AppendLine($"link add {WanInterface} netns {router.RouterNamespace} type veth peer name eth0 netns {router.PeerNamespace}")
                .ToString(), ct);
            await Shell.RunAsync("ip", ["-n", router.RouterNamespace, "-batch", "-"], new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine($"addr add {WanAddress} dev {WanInterface}")
                .AppendLine($"link set {WanInterface} up")
                .ToString(), ct);
            await Shell.RunAsync("ip", ["-n", router.PeerNamespace, "-batch", "-"], new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine($"addr add {PeerAddress} dev eth0")
                .AppendLine("link set eth0 up")
                .ToString(), ct);
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
    /// jump gone, the foreign MASQUERADE kept). A restore without --noflush replaces the whole table in one transaction.
    /// </summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await ExecAsync("iptables-restore", [], _baselineNatTable, ct);
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

    // Never takes a cancellation token: the namespaces must go also when the run was interrupted.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // -force keeps going past a namespace that was never created; deleting one end's namespace deletes the veth pair.
        try
        {
            await Shell.RunAsync("ip", ["-force", "-batch", "-"], $"netns del {RouterNamespace}\nnetns del {PeerNamespace}\n");
        }
        catch (InvalidOperationException)
        {
            // ip -force reports the namespaces it could not find; what matters is checked below.
        }
        var left = new[] { RouterNamespace, PeerNamespace }.Where(ns => File.Exists(Path.Combine("/run/netns", ns))).ToArray();
        if (left.Length > 0)
            throw new InvalidOperationException($"Could not delete the bench namespaces {string.Join(", ", left)}; remove them with `ip netns del`.");
    }
}
