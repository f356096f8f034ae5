using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>Reads the *nat table out of iptables-save output (with or without -c counters).</summary>
public static class IptablesSaveParser
{
    public sealed record Counted(NatRule Rule, long Packets, long Bytes);

    public static NatTable Parse(string text) => Read(text, countersWanted: false).Table;

    public static (NatTable Table, IReadOnlyList<Counted> Counters) ParseWithCounters(string text) => Read(text, countersWanted: true);

    private static (NatTable Table, IReadOnlyList<Counted> Counters) Read(string text, bool countersWanted)
    {
        var chains = new List<(string Name, string Policy)>();
        var rules = new Dictionary<string, List<NatRule>>(StringComparer.Ordinal);
        var counters = new List<Counted>();
        var inNat = false;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            if (line[0] == '*') { inNat = line.SequenceEqual("*nat"); continue; }
            if (!inNat) continue;
            if (line.SequenceEqual("COMMIT")) { inNat = false; continue; }
            if (line[0] == ':')
            {
                var parts = line[1..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                chains.Add((parts[0], parts.Length > 1 ? parts[1] : "-"));
                rules.TryAdd(parts[0], []);
                continue;
            }
            long packets = 0, bytes = 0;
            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                var pair = line[1..close].ToString().Split(':');
                packets = long.Parse(pair[0], System.Globalization.CultureInfo.InvariantCulture);
                bytes = long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture);
                line = line[(close + 1)..].TrimStart();
            }
            var rule = NatRule.FromSaveLine(line.ToString());
            if (!rules.TryGetValue(rule.Chain, out var list))
            {
                chains.Add((rule.Chain, "-"));
                rules[rule.Chain] = list = [];
            }
            list.Add(rule);
            if (countersWanted) counters.Add(new Counted(rule, packets, bytes));
        }
        var table = new NatTable(chains.Select(c => new NatChain(c.Name, c.Policy, rules[c.Name])).ToArray());
        return (table, counters);
    }

    /// <summary>Prints a table back in iptables-save's own format (used by the simulated kernel).</summary>
    public static string Format(NatTable table)
    {
        var text = new System.Text.StringBuilder("*nat\n");
        foreach (var chain in table.Chains)
            text.Append(':').Append(chain.Name).Append(' ').Append(chain.Policy).Append(" [0:0]\n");
        foreach (var chain in table.Chains)
            foreach (var rule in chain.Rules)
                text.Append(rule.SaveLine).Append('\n');
        return text.Append("COMMIT\n").ToString();
    }
}
