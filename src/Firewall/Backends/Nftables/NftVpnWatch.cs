using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RouterAdmin.Detection;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The watch for VPN users the kernel drops: an owned table of its own (so either rule backend can have it, and
/// removing it touches nothing else) with one rule in the forward hook that adds each LAN host's unconfirmed ESP
/// packets to a dynamic set, counted per (host, server). A confirmed flow's packets are not <c>ct state new</c> once
/// the server answers, so a healthy tunnel costs one conntrack-state test per packet; a colliding flow is never
/// confirmed, so every one of its packets is counted.
/// </summary>
public sealed class NftVpnWatch(CommandRunner runner, IOptions<FirewallOptions> options) : IVpnWatch
{
    public const string Table = "routeradmin_watch";
    public const string Set = "esp_unconfirmed";

    /// <summary>The table's content: replaced as a whole (declare, flush, fill) in one transaction, so it is idempotent.</summary>
    public static string InstallScript(IPNetwork lanSubnet) => $$"""
        table ip {{Table}}
        flush table ip {{Table}}
        table ip {{Table}} {
            set {{Set}} {
                type ipv4_addr . ipv4_addr
                size 65535
                flags dynamic,timeout
                counter
                timeout 15m
            }
            chain lan_esp {
                type filter hook forward priority filter - 10; policy accept;
                ip saddr {{lanSubnet}} ip protocol esp ct state new update @{{Set}} { ip saddr . ip daddr }
            }
        }
        """;

    public static string RemoveScript => $"table ip {Table}\ndelete table ip {Table}\n";

    public Task InstallAsync(IPNetwork lanSubnet, CancellationToken ct) => RunAsync(InstallScript(lanSubnet), ct);

    public Task RemoveAsync(CancellationToken ct) => RunAsync(RemoveScript, ct);

    /// <summary>The counted flows; none when the watch is not installed.</summary>
    public async Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct)
    {
        var output = await runner.RunAsync(options.Value.Paths.Nft, ["-j", "list", "set", "ip", Table, Set], throwOnFailure: false, cancellationToken: ct);
        if (output.ExitCode == 0) return Parse(output.StandardOutput);
        if (output.StandardError.StartsWith("Error: No such file or directory", StringComparison.Ordinal)) return [];
        throw new FirewallCommandException(runner.Describe(options.Value.Paths.Nft, ["-j", "list", "set", "ip", Table, Set]), output.ExitCode, output.StandardError);
    }

    /// <summary><c>nft -j list set</c>: each element is <c>{"elem": {"val": {"concat": [host, server]}, "counter": {"packets": n}}}</c>.</summary>
    public static IReadOnlyList<WatchedFlow> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var flows = new List<WatchedFlow>();
        foreach (var entry in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!entry.TryGetProperty("set", out var set) || !set.TryGetProperty("elem", out var elements)) continue;
            foreach (var element in elements.EnumerateArray())
            {
                var value = element.TryGetProperty("elem", out var wrapped) ? wrapped : element;
                if (!value.TryGetProperty("val", out var key) || !key.TryGetProperty("concat", out var pair)) continue;
                var parts = pair.EnumerateArray().Select(p => p.GetString()).ToArray();
                if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var host) || !IPAddress.TryParse(parts[1], out var server)) continue;
                var packets = value.TryGetProperty("counter", out var counter) ? counter.GetProperty("packets").GetInt64() : 0;
                flows.Add(new WatchedFlow(host, server, packets));
            }
        }
        return flows;
    }

    private Task RunAsync(string script, CancellationToken ct) =>
        runner.RunAsync(options.Value.Paths.Nft, ["-f", "-"], script, cancellationToken: ct);
}
