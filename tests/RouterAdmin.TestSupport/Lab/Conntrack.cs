using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace RouterAdmin.TestSupport.Lab;

public sealed record ConntrackTuple(IPAddress Source, IPAddress Destination, int? SourcePort = null, int? DestinationPort = null);

/// <summary>One line of <c>conntrack -L</c>: the original direction, and the reply direction (which shows the NAT).</summary>
public sealed record ConntrackEntry(
    string ProtocolName,
    int Protocol,
    int TimeoutSeconds,
    ConntrackTuple Original,
    ConntrackTuple Reply,
    IReadOnlySet<string> Flags)
{
    public bool Unreplied => Flags.Contains("UNREPLIED");

    /// <summary>The address the original direction was translated to (the reply's destination).</summary>
    public IPAddress TranslatedSource => Reply.Destination;
}

/// <summary>Totals over all CPUs of <c>conntrack -S</c>.</summary>
public sealed record ConntrackStats(IReadOnlyDictionary<string, long> Totals)
{
    public long Get(string counter) => Totals.GetValueOrDefault(counter);
    public long InsertFailed => Get("insert_failed");
    public long Drop => Get("drop");
    public long Insert => Get("insert");
}

/// <summary>The conntrack binary run inside one namespace of a lab (normally the router).</summary>
public sealed partial class Conntrack(NetnsLab lab, string ns)
{
    public const int Esp = 50;
    public const int Udp = 17;

    public string Namespace { get; } = ns;

    public async Task<IReadOnlyList<ConntrackEntry>> ListAsync(int protocol = Esp) =>
        ParseList(await lab.ExecAsync(Namespace, "conntrack", "-L", "-p", Num(protocol)));

    public async Task<ConntrackStats> StatsAsync() => ParseStats(await lab.ExecAsync(Namespace, "conntrack", "-S"));

    public async Task<long> InsertFailedAsync() => (await StatsAsync()).InsertFailed;

    /// <summary>
    /// Deletes the entries of <paramref name="protocol"/> from <paramref name="source"/> to <paramref name="destination"/>
    /// and returns how many went; conntrack's exit status 1 for "nothing matched" is not an error.
    /// </summary>
    public async Task<int> DeleteAsync(IPAddress source, IPAddress destination, int protocol = Esp)
    {
        var result = await lab.TryExecAsync(Namespace, "conntrack", "-D", "-p", Num(protocol), "-s", source.ToString(), "-d", destination.ToString());
        var deleted = DeletedCount().Match(result.StandardError);
        if (deleted.Success)
            return int.Parse(deleted.Groups[1].Value, CultureInfo.InvariantCulture);
        if (result.ExitCode == 1)
            return 0;
        throw new LabCommandException($"conntrack -D -p {protocol} -s {source} -d {destination} (in {Namespace})", result);
    }

    internal static IReadOnlyList<ConntrackEntry> ParseList(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseEntry)
            .OfType<ConntrackEntry>()];

    // e.g. "unknown  50 599 src=192.168.1.2 dst=198.51.100.10 [UNREPLIED] src=198.51.100.10 dst=203.0.113.1 mark=0 use=1"
    internal static ConntrackEntry? ParseEntry(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 3
            || !int.TryParse(tokens[1], CultureInfo.InvariantCulture, out var protocol)
            || !int.TryParse(tokens[2], CultureInfo.InvariantCulture, out var timeout))
            return null;

        List<Dictionary<string, string>> directions = [];
        HashSet<string> flags = [];
        foreach (var token in tokens.Skip(3))
        {
            if (token.StartsWith('[') && token.EndsWith(']'))
            {
                flags.Add(token[1..^1]);
                continue;
            }
            if (token.Split('=', 2) is not [var key, var value])
                continue; // a TCP state such as ESTABLISHED
            if (key == "src")
                directions.Add([]);
            if (directions.Count > 0)
                directions[^1].TryAdd(key, value);
        }
        if (directions.Count < 2)
            return null;
        return new ConntrackEntry(tokens[0], protocol, timeout, Tuple(directions[0]), Tuple(directions[1]), flags);
    }

    internal static ConntrackStats ParseStats(string output)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match counter in StatCounter().Matches(output))
        {
            var name = counter.Groups[1].Value;
            if (name != "cpu")
                totals[name] = totals.GetValueOrDefault(name) + long.Parse(counter.Groups[2].Value, CultureInfo.InvariantCulture);
        }
        return new ConntrackStats(totals);
    }

    private static ConntrackTuple Tuple(Dictionary<string, string> fields) =>
        new(IPAddress.Parse(fields["src"]), IPAddress.Parse(fields["dst"]), Port(fields, "sport"), Port(fields, "dport"));

    private static int? Port(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static string Num(int protocol) => protocol.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\w+)=(\d+)")]
    private static partial Regex StatCounter();

    [GeneratedRegex(@"(\d+) flow entries have been deleted")]
    private static partial Regex DeletedCount();
}
