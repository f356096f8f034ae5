using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends.Watch;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The watch for VPN users the kernel drops: an owned table of its own (so either rule backend can have it, and
/// removing it touches nothing else) with one rule in the forward hook that adds each LAN host's unconfirmed ESP
/// packets to a dynamic set, counted per (host, server). A confirmed flow's packets are not <c>ct state new</c> once
/// the server answers, so a healthy tunnel costs one conntrack-state test per packet; a colliding flow is never
/// confirmed, so every one of its packets is counted.
/// </summary>
public sealed class NftVpnWatch(NftTools nft) : IVpnWatch, IVpnWatchTable
{
    public const string Table = "routeradmin_watch";
    public const string Set = "esp_unconfirmed";
    public const string Chain = "lan_esp";
    private const int Priority = -10;

    private static string Body(IPNetwork lan) => $$"""
        table ip {{Table}} {
            set {{Set}} {
                type ipv4_addr . ipv4_addr
                size 65535
                flags dynamic,timeout
                counter
                timeout 15m
            }
            chain {{Chain}} {
                type filter hook forward priority filter - 10; policy accept;
                ip saddr {{lan}} ip protocol esp ct state new update @{{Set}} { ip saddr . ip daddr }
            }
        }
        """;

    /// <summary>Declare, flush, fill: one transaction that replaces whatever the table held, so it is idempotent.</summary>
    public string Script(IPNetwork? lan) => lan is { } watched
        ? $"table ip {Table}\nflush table ip {Table}\n{Body(watched)}\n"
        : $"table ip {Table}\ndelete table ip {Table}\n";

    public IReadOnlyList<string> Lines(WatchTableState state) => state switch
    {
        { Altered: true } => [$"# table ip {Table}: changed by hand{(state.Lan is { } lan ? $" (watching {lan})" : "")}"],
        { Lan: { } lan } => Body(lan).Split('\n'),
        _ => [],
    };

    public string DescribeApply() => nft.DescribeRun("VPN watch");

    public Task ApplyAsync(IPNetwork? lan, CancellationToken ct) => nft.RunAsync(Script(lan), ct, "VPN watch");

    public async Task<WatchTableState> ReadStateAsync(CancellationToken ct)
    {
        // A router without nft (iptables-legacy, no nftables package) cannot hold the watch: nothing to read, and the
        // iptables backend must go on working. Turning the watch on there fails its apply with nft's absence named.
        if (await nft.IsMissingAsync(ct)) return WatchTableState.Absent;
        var json = await ListAsync(["-j", "list", "chain", "ip", Table, Chain], ct);
        if (json is null)
        {
            // No chain: no table at all, or a table someone emptied by hand.
            var table = await ListAsync(["-j", "list", "table", "ip", Table], ct);
            return table is null ? WatchTableState.Absent : new WatchTableState(null, Altered: true);
        }
        return ParseChain(json);
    }

    /// <summary><c>nft -j list chain</c>: the watch for a LAN when it is exactly the chain and the one rule installed, else altered.</summary>
    public static WatchTableState ParseChain(string json)
    {
        using var document = JsonDocument.Parse(json);
        JsonElement? chain = null;
        var rules = new List<JsonElement>();
        foreach (var entry in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (entry.TryGetProperty("chain", out var c)) chain = c;
            else if (entry.TryGetProperty("rule", out var r)) rules.Add(r.GetProperty("expr"));
        }
        var lan = rules.Count > 0 ? LanOf(rules[0]) : null;
        var intact = chain is { } header
            && header.TryGetProperty("hook", out var hook) && hook.GetString() == "forward"
            && header.TryGetProperty("prio", out var prio) && prio.TryGetInt32(out var p) && p == Priority
            && header.TryGetProperty("policy", out var policy) && policy.GetString() == "accept"
            && rules.Count == 1 && lan is not null
            && JsonElement.DeepEquals(rules[0], ExpectedRule(lan.Value));
        return new WatchTableState(lan, Altered: !intact);
    }

    private static IPNetwork? LanOf(JsonElement expr)
    {
        foreach (var statement in expr.EnumerateArray())
        {
            if (!statement.TryGetProperty("match", out var match) || !match.GetProperty("right").TryGetProperty("prefix", out var prefix)) continue;
            if (IPAddress.TryParse(prefix.GetProperty("addr").GetString(), out var address) && prefix.GetProperty("len").TryGetInt32(out var length))
                return new IPNetwork(address, length);
        }
        return null;
    }

    /// <summary>The rule as <c>nft -j</c> lists it after <see cref="Body"/> installed it (nft 1.0).</summary>
    private static JsonElement ExpectedRule(IPNetwork lan) => JsonDocument.Parse("""
        [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "ADDR", "len": 999}}}},
         {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "esp"}},
         {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "new"}},
         {"set": {"op": "update", "elem": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "ip", "field": "daddr"}}]}, "set": "@SET"}}]
        """.Replace("ADDR", lan.BaseAddress.ToString()).Replace("999", lan.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("@SET", "@" + Set)).RootElement.Clone();

    /// <summary>The counted flows; none when the watch is not installed.</summary>
    public async Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct)
    {
        if (await nft.IsMissingAsync(ct)) return [];
        var json = await ListAsync(["-j", "list", "set", "ip", Table, Set], ct);
        return json is null ? [] : Parse(json);
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

    private Task<string?> ListAsync(string[] arguments, CancellationToken ct) => nft.ListJsonAsync(arguments, ct);
}
