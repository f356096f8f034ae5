using System.Globalization;
using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// Reads <c>nft -j list table ip NAME</c> into the owned state, in the same line words <see cref="NftSyntax"/> writes,
/// with each element's counters. What it does not recognise it keeps as raw JSON lines, so a hand-written rule or an
/// unexpected object in the table never matches the plan and shows as drift.
/// </summary>
public static class NftJsonReader
{
    public sealed record Read(NftOwnedState Owned, IReadOnlyList<MappingCounters> Counters);

    public static Read Parse(string? json, IReadOnlyList<BoundAddress> ownedAddresses)
    {
        if (json is null) return new Read(NftOwnedState.Nothing with { Addresses = ownedAddresses }, []);
        using var document = JsonDocument.Parse(json);
        return Parse(document.RootElement.GetProperty("nftables").EnumerateArray(), ownedAddresses);
    }

    /// <summary>
    /// <c>nft -j list ruleset</c>: the owned table (<c>table ip NAME</c>) as <see cref="Parse(string?, IReadOnlyList{BoundAddress})"/>
    /// reads it, and the other tables' source-NAT rules.
    /// </summary>
    public static (Read Owned, NftForeign Foreign) ParseRuleset(string json, string table, IReadOnlyList<BoundAddress> ownedAddresses)
    {
        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("nftables").EnumerateArray().ToArray();
        var ours = entries.Where(e => BelongsTo(e, table)).ToArray();
        return (Parse(ours, ownedAddresses), NftForeignReader.Read(entries, table));
    }

    private static bool BelongsTo(JsonElement entry, string table)
    {
        var property = entry.EnumerateObject().FirstOrDefault();
        if (property.Value.ValueKind != JsonValueKind.Object || property.Name == "metainfo") return false;
        var value = property.Value;
        var name = property.Name == "table" ? value.GetProperty("name") : value.TryGetProperty("table", out var t) ? t : default;
        return name.ValueKind == JsonValueKind.String && name.GetString() == table
            && value.TryGetProperty("family", out var family) && family.GetString() == "ip";
    }

    private static Read Parse(IEnumerable<JsonElement> entries, IReadOnlyList<BoundAddress> ownedAddresses)
    {
        var blocks = new List<NftBlock>();
        var chains = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var elements = new List<SnatMapping>();
        var counters = new List<MappingCounters>();
        var exists = false;
        foreach (var entry in entries)
        {
            if (entry.TryGetProperty("table", out _)) exists = true;
            else if (entry.TryGetProperty("map", out var map)) blocks.Add(ReadMap(map, elements, counters));
            else if (entry.TryGetProperty("set", out var set)) blocks.Add(new NftBlock("set", Name(set), [set.GetRawText()]));
            else if (entry.TryGetProperty("chain", out var chain))
            {
                var lines = new List<string> { ChainHeader(chain) };
                chains[Name(chain)] = lines;
                blocks.Add(new NftBlock("chain", Name(chain), lines));
            }
            else if (entry.TryGetProperty("rule", out var rule))
            {
                var chainName = rule.GetProperty("chain").GetString() ?? "";
                if (chains.TryGetValue(chainName, out var lines)) lines.Add(Rule(rule));
            }
            else if (!entry.TryGetProperty("metainfo", out _)) blocks.Add(new NftBlock("object", "", [entry.GetRawText()]));
        }
        // The kernel lists the elements of a hash map in its own order; the plan's order is client, then endpoint.
        elements.Sort(static (a, b) => Order(a).CompareTo(Order(b)));
        return new Read(new NftOwnedState(exists, blocks, elements, ownedAddresses), counters);
    }

    private static (uint, uint, int) Order(SnatMapping m) =>
        (Domain.Ipv4.ToUInt32(m.Client), Domain.Ipv4.ToUInt32(m.Endpoint.BaseAddress), m.Endpoint.PrefixLength);

    private static string Name(JsonElement e) => e.GetProperty("name").GetString() ?? "";

    private static NftBlock ReadMap(JsonElement map, List<SnatMapping> elements, List<MappingCounters> counters)
    {
        var lines = new List<string>();
        var type = map.TryGetProperty("type", out var t) ? TypeText(t) : "?";
        var data = map.TryGetProperty("map", out var d) ? TypeText(d) : "?";
        lines.Add($"type {type} : {data}");
        if (map.TryGetProperty("flags", out var flags))
            lines.Add("flags " + string.Join(", ", flags.ValueKind == JsonValueKind.Array ? flags.EnumerateArray().Select(f => f.GetString()) : [flags.GetString()]));
        if (map.TryGetProperty("stmt", out var statements))
            lines.AddRange(statements.EnumerateArray().Select(Statement));
        var ours = Name(map) == NftRules.MapName && type == "ipv4_addr . ipv4_addr" && data == "ipv4_addr";
        if (map.TryGetProperty("elem", out var elems))
        {
            foreach (var elem in elems.EnumerateArray())
            {
                if (ours && TryElement(elem, out var mapping, out var packets, out var bytes))
                {
                    elements.Add(mapping);
                    counters.Add(new MappingCounters(new FoundMapping(new IPNetwork(mapping.Client, 32), mapping.Endpoint, mapping.External), packets, bytes));
                }
                else lines.Add("element " + elem.GetRawText());
            }
        }
        foreach (var property in map.EnumerateObject())
            if (property.Name is not ("family" or "name" or "table" or "type" or "handle" or "map" or "flags" or "stmt" or "elem"))
                lines.Add(property.Name + " " + property.Value.GetRawText());
        return new NftBlock("map", Name(map), lines);
    }

    /// <summary><c>[{"elem": {"val": {"concat": [client, endpoint]}, "comment": …, "counter": …}}, external]</c>, or the key without the wrapper.</summary>
    private static bool TryElement(JsonElement elem, out SnatMapping mapping, out long packets, out long bytes)
    {
        mapping = null!;
        packets = bytes = 0;
        if (elem.ValueKind != JsonValueKind.Array || elem.GetArrayLength() != 2) return false;
        var key = elem[0];
        string label = "";
        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("elem", out var wrapper))
        {
            key = wrapper.GetProperty("val");
            if (wrapper.TryGetProperty("comment", out var comment)) label = comment.GetString() ?? "";
            if (wrapper.TryGetProperty("counter", out var counter) && counter.ValueKind == JsonValueKind.Object)
            {
                packets = counter.GetProperty("packets").GetInt64();
                bytes = counter.GetProperty("bytes").GetInt64();
            }
        }
        if (!key.TryGetProperty("concat", out var concat) || concat.GetArrayLength() != 2) return false;
        if (concat[0].ValueKind != JsonValueKind.String || !IPAddress.TryParse(concat[0].GetString(), out var client)) return false;
        if (!TryNetwork(concat[1], out var endpoint)) return false;
        if (elem[1].ValueKind != JsonValueKind.String || !IPAddress.TryParse(elem[1].GetString(), out var external)) return false;
        mapping = new SnatMapping(client, endpoint, external, label);
        return true;
    }

    private static bool TryNetwork(JsonElement value, out IPNetwork network)
    {
        network = default;
        if (value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out var single))
        {
            network = new IPNetwork(single, 32);
            return true;
        }
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("prefix", out var prefix)
            && IPAddress.TryParse(prefix.GetProperty("addr").GetString(), out var address))
            return IPNetwork.TryParse($"{address}/{prefix.GetProperty("len").GetInt32()}", out network);
        return false;
    }

    private static string TypeText(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" . ", type.EnumerateArray().Select(TypeText)) : type.GetString() ?? type.GetRawText();

    private static string ChainHeader(JsonElement chain)
    {
        if (!chain.TryGetProperty("hook", out var hook)) return "";
        var prio = chain.TryGetProperty("prio", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
        var type = chain.TryGetProperty("type", out var t) ? t.GetString() : "?";
        var policy = chain.TryGetProperty("policy", out var pol) ? pol.GetString() : "accept";
        return $"type {type} hook {hook.GetString()} priority {Priority(hook.GetString(), prio)}; policy {policy};";
    }

    /// <summary>nft's names for the nat priorities, as it prints them (srcnat is 100 at postrouting).</summary>
    private static string Priority(string? hook, int prio) => hook switch
    {
        "postrouting" when prio == 100 => "srcnat",
        "postrouting" when prio < 100 => $"srcnat - {100 - prio}",
        "postrouting" => $"srcnat + {prio - 100}",
        _ => prio.ToString(CultureInfo.InvariantCulture),
    };

    private static string Rule(JsonElement rule)
    {
        var words = rule.GetProperty("expr").EnumerateArray().Select(Statement).ToList();
        if (rule.TryGetProperty("comment", out var comment)) words.Add("comment \"" + comment.GetString() + "\"");
        return string.Join(' ', words);
    }

    /// <summary>The statements RouterAdmin writes, in nft's words; anything else as its JSON, which no plan ever equals.</summary>
    private static string Statement(JsonElement statement)
    {
        var property = statement.EnumerateObject().FirstOrDefault();
        var value = property.Value;
        switch (property.Name)
        {
            case "match" when value.GetProperty("op").GetString() == "==":
                var left = Expression(value.GetProperty("left"));
                var right = value.GetProperty("right");
                return left + " " + (left is "oifname" or "iifname" && right.ValueKind == JsonValueKind.String
                    ? "\"" + right.GetString() + "\"" : Expression(right));
            case "snat" when value.TryGetProperty("addr", out var addr) && value.EnumerateObject().Count() == 1:
                return "snat ip to " + Expression(addr);
            case "masquerade" when value.ValueKind == JsonValueKind.Null:
            case "counter" when value.ValueKind == JsonValueKind.Null:
            case "accept" or "drop" or "return" when value.ValueKind == JsonValueKind.Null:
                return property.Name;
            default:
                return statement.GetRawText();
        }
    }

    private static string Expression(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String) return e.GetString() ?? "";
        if (e.ValueKind == JsonValueKind.Number) return e.GetRawText();
        if (e.ValueKind != JsonValueKind.Object) return e.GetRawText();
        if (e.TryGetProperty("payload", out var payload)
            && payload.TryGetProperty("protocol", out var protocol) && payload.TryGetProperty("field", out var field))
            return $"{protocol.GetString()} {field.GetString()}";
        if (e.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var key)) return key.GetString() ?? "";
        if (e.TryGetProperty("prefix", out var prefix)) return $"{Expression(prefix.GetProperty("addr"))}/{prefix.GetProperty("len").GetInt32()}";
        if (e.TryGetProperty("concat", out var concat)) return string.Join(" . ", concat.EnumerateArray().Select(Expression));
        if (e.TryGetProperty("map", out var map)) return $"{Expression(map.GetProperty("key"))} map {Expression(map.GetProperty("data"))}";
        return e.GetRawText();
    }
}
