using System.Globalization;

namespace RouterAdmin.Firewall.Backends;

/// <summary>Reads <c>conntrack -L</c>: protocol, timeout, then the original and the reply direction's addresses.</summary>
public static class ConntrackParser
{
    public static IReadOnlyList<ConntrackEntry> Parse(string text)
    {
        var entries = new List<ConntrackEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 4 || words[0] == "conntrack") continue;
            var sources = words.Where(w => w.StartsWith("src=", StringComparison.Ordinal)).Select(w => w[4..]).ToArray();
            var destinations = words.Where(w => w.StartsWith("dst=", StringComparison.Ordinal)).Select(w => w[4..]).ToArray();
            if (sources.Length < 2 || destinations.Length < 2) continue;
            // "unknown 50 597 src=…": the protocol number names ESP where conntrack has no name for it.
            var protocol = words[0] == "unknown" && words[1] == "50" ? "esp" : words[0];
            int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var timeout);
            var sourcePorts = Ports(words, "sport=");
            var destinationPorts = Ports(words, "dport=");
            entries.Add(new ConntrackEntry(protocol, sources[0], destinations[0], sources[1], destinations[1], timeout,
                sourcePorts.ElementAtOrDefault(0), destinationPorts.ElementAtOrDefault(0), destinationPorts.ElementAtOrDefault(1)));
        }
        return entries;
    }

    /// <summary>"sport=500" words in order: the original direction's, then the reply's.</summary>
    private static int?[] Ports(string[] words, string prefix) =>
        [.. words.Where(w => w.StartsWith(prefix, StringComparison.Ordinal))
            .Select(w => int.TryParse(w.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : (int?)null)];
}
