using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// Reads the other tables of <c>nft -j list ruleset</c>: the rules of every nat postrouting chain in an <c>ip</c> or
/// <c>inet</c> table other than the owned one. A rule that is nothing but "this source to this destination (maybe out
/// of this interface) leaves from this address" is a mapping; a <c>masquerade</c> is the administrator's general one.
/// Rules iptables-nft wrote are skipped: nft shows their targets as bare <c>xt</c> objects without the address
/// (<c>{"xt": {"type": "target", "name": "SNAT"}}</c>), so only iptables can say what they do, and the iptables
/// backend reports them.
/// </summary>
public static class NftForeignReader
{
    /// <summary>RouterAdmin's chain runs at <c>srcnat - 10</c>; a chain before it wins for the flows it translates.</summary>
    public const int OwnedPriority = 90;

    public static NftForeign Read(IEnumerable<JsonElement> entries, string ownTable)
    {
        var chains = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var snat = new List<NftForeignRule>();
        ForeignMasquerade? masquerade = null;
        foreach (var entry in entries)
        {
            if (entry.TryGetProperty("chain", out var chain))
            {
                if (IsForeignSourceNat(chain, ownTable)) chains[Address(chain, chain.GetProperty("name").GetString())] = Priority(chain);
                continue;
            }
            if (!entry.TryGetProperty("rule", out var rule)) continue;
            var at = Address(rule, rule.GetProperty("chain").GetString());
            if (!chains.TryGetValue(at, out var priority)) continue;
            var index = counts.GetValueOrDefault(at);
            counts[at] = index + 1;
            var expressions = rule.GetProperty("expr").EnumerateArray().ToArray();
            if (expressions.Any(e => e.TryGetProperty("xt", out _))) continue;
            var family = rule.GetProperty("family").GetString()!;
            var table = rule.GetProperty("table").GetString()!;
            var chainName = rule.GetProperty("chain").GetString()!;
            var words = new NftRuleWords(family, expressions, rule.TryGetProperty("comment", out var c) ? c.GetString() : null);
            if (words.IsSnat)
            {
                var plain = NftNames.IsPlain(table) && NftNames.IsPlain(chainName);
                snat.Add(new NftForeignRule(family, table, chainName, rule.GetProperty("handle").GetInt64(), index, words.Body,
                    plain ? words.Mapping : null, priority < OwnedPriority));
            }
            else if (masquerade is null && words.Masquerade is { } found)
            {
                masquerade = found with { Text = $"table {family} {table} chain {chainName}: {words.Body}" };
            }
        }
        return new NftForeign(snat, masquerade, counts);
    }

    private static bool IsForeignSourceNat(JsonElement chain, string ownTable)
    {
        var family = chain.GetProperty("family").GetString();
        if (family is not ("ip" or "inet")) return false;
        if (family == "ip" && chain.GetProperty("table").GetString() == ownTable) return false;
        return chain.TryGetProperty("type", out var type) && type.GetString() == "nat"
            && chain.TryGetProperty("hook", out var hook) && hook.GetString() == "postrouting";
    }

    private static int Priority(JsonElement chain) =>
        chain.TryGetProperty("prio", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 100;

    private static string Address(JsonElement o, string? chain) =>
        $"{o.GetProperty("family").GetString()} {o.GetProperty("table").GetString()} {chain}";
}

/// <summary>
/// One rule's expressions in nft's words, and what it means when it is a plain mapping or a plain masquerade.
/// Anything it does not know is kept as its JSON, which makes the rule something other than a mapping.
/// </summary>
internal sealed class NftRuleWords
{
    private readonly List<string> _words = [];
    private IPNetwork? _source, _destination;
    private IPAddress? _to;
    private string? _outInterface;
    private bool _other, _negated, _masquerade;
    private int _snat;

    public NftRuleWords(string family, IReadOnlyList<JsonElement> expressions, string? comment)
    {
        foreach (var expression in expressions) Read(family, expression);
        if (comment is not null) _words.Add("comment " + NftSyntax.Quote(comment));
    }

    public string Body => string.Join(' ', _words);
    public bool IsSnat => _snat > 0;

    public FoundMapping? Mapping =>
        _snat == 1 && !_other && !_negated && !_masquerade && _source is { } s && _destination is { } d && _to is { } to
            ? new FoundMapping(s, d, to, _outInterface) : null;

    public ForeignMasquerade? Masquerade =>
        _masquerade && _snat == 0 && !_negated && !_other ? new ForeignMasquerade(Body, _source?.ToString(), _outInterface) : null;

    private void Read(string family, JsonElement expression)
    {
        var property = expression.EnumerateObject().FirstOrDefault();
        var value = property.Value;
        switch (property.Name)
        {
            case "match" when ReadMatch(value):
                return;
            case "counter":
                _words.Add("counter");
                return;
            case "masquerade" when value.ValueKind == JsonValueKind.Null:
                _masquerade = true;
                _words.Add("masquerade");
                return;
            case "snat" when value.ValueKind == JsonValueKind.Object:
                _snat++;
                if (value.EnumerateObject().All(p => p.Name is "addr" or "family")
                    && value.GetProperty("addr").ValueKind == JsonValueKind.String
                    && IPAddress.TryParse(value.GetProperty("addr").GetString(), out var to)
                    && to.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    _to = to;
                    // An inet table needs the family of the address; an ip table prints "snat to".
                    _words.Add((family == "inet" ? "snat ip to " : "snat to ") + to);
                    return;
                }
                break;
        }
        _other = true;
        _words.Add(expression.GetRawText());
    }

    private bool ReadMatch(JsonElement match)
    {
        var op = match.GetProperty("op").GetString();
        if (op is not ("==" or "!=")) return false;
        var left = match.GetProperty("left");
        var right = match.GetProperty("right");
        var negate = op == "!=" ? "!= " : "";
        if (left.TryGetProperty("payload", out var payload) && payload.TryGetProperty("protocol", out var protocol)
            && protocol.GetString() == "ip" && payload.TryGetProperty("field", out var field)
            && field.GetString() is "saddr" or "daddr" && TryNetwork(right, out var network))
        {
            _negated |= op == "!=";
            if (field.GetString() == "saddr") _source = network;
            else _destination = network;
            _words.Add($"ip {field.GetString()} {negate}{Domain.Ipv4.Format(network)}");
            return true;
        }
        if (left.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var key) && key.GetString() == "oifname"
            && right.ValueKind == JsonValueKind.String && NftNames.IsPlain(right.GetString()!))
        {
            _negated |= op == "!=";
            _outInterface = right.GetString();
            _words.Add($"oifname {negate}\"{right.GetString()}\"");
            return true;
        }
        return false;
    }

    private static bool TryNetwork(JsonElement value, out IPNetwork network)
    {
        network = default;
        if (value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out var single)
            && single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            network = new IPNetwork(single, 32);
            return true;
        }
        return value.ValueKind == JsonValueKind.Object && value.TryGetProperty("prefix", out var prefix)
            && prefix.GetProperty("addr").GetString() is { } addr && prefix.GetProperty("len").ValueKind == JsonValueKind.Number
            && IPNetwork.TryParse($"{addr}/{prefix.GetProperty("len").GetInt32()}", out network);
    }
}
