using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// The parts of the lab router RouterAdmin must never touch, as text: every table but its own chains and jump, with the
/// generated-by comments and counters stripped so two snapshots compare byte for byte.
/// </summary>
public static partial class RouterSnapshot
{
    public static async Task<string> ForeignRulesAsync(NetnsLab lab)
    {
        var save = await lab.ExecAsync(lab.RouterNamespace, "iptables-save");
        var lines = save.Split('\n')
            .Where(l => !l.StartsWith('#'))
            .Where(l => !l.Contains("ROUTERADMIN-", StringComparison.Ordinal))
            .Select(l => l.StartsWith(':') ? l[..l.LastIndexOf(' ')] : l);
        return string.Join('\n', lines);
    }

    /// <summary>
    /// Everything but RouterAdmin's own part, for either backend: iptables-save without the owned chains, and every
    /// nftables table but the owned one, with counters stripped.
    /// </summary>
    public static async Task<string> ForeignRulesetAsync(NetnsLab lab, string backend)
    {
        // Under the iptables backend nft also lists the owned chains inside iptables-nft's nat table: iptables-save covers it.
        if (backend != "Nftables") return await ForeignRulesAsync(lab);
        var ruleset = await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "ruleset");
        var foreignTables = string.Join('\n', Tables(ruleset).Where(t => !t.StartsWith("table ip routeradmin ", StringComparison.Ordinal)));
        return await ForeignRulesAsync(lab) + "\n" + Counters().Replace(foreignTables, "counter");
    }

    /// <summary>RouterAdmin's rules as the backend's own tool lists them: the owned chains, or the owned table without counters.</summary>
    public static async Task<string> OwnedRulesAsync(NetnsLab lab, string backend)
    {
        if (backend != "Nftables") return await OwnedChainAsync(lab);
        var listed = await lab.TryExecAsync(lab.RouterNamespace, "nft", "list", "table", "ip", "routeradmin");
        return listed.ExitCode == 0 ? Counters().Replace(listed.StandardOutput, "counter") : "";
    }

    private static IEnumerable<string> Tables(string ruleset)
    {
        var current = new System.Text.StringBuilder();
        foreach (var line in ruleset.Split('\n'))
        {
            if (line.StartsWith("table ", StringComparison.Ordinal) && current.Length > 0) { yield return current.ToString().TrimEnd(); current.Clear(); }
            current.Append(line).Append('\n');
        }
        if (current.Length > 0) yield return current.ToString().TrimEnd();
    }

    /// <summary>Who the owned rules send out through which address, as the kernel lists them, for either backend.</summary>
    public static async Task<IReadOnlyList<(System.Net.IPAddress Client, System.Net.IPAddress External)>> MappingsAsync(NetnsLab lab, string backend)
    {
        var pattern = backend == "Nftables" ? NftMapping() : IptablesMapping();
        return pattern.Matches(await OwnedRulesAsync(lab, backend))
            .Select(m => (System.Net.IPAddress.Parse(m.Groups[1].Value), System.Net.IPAddress.Parse(m.Groups[2].Value)))
            .OrderBy(p => p.Item1.ToString(), StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Empties the owned mappings by hand (the chain, or the map), as a careless administrator would.</summary>
    public static Task FlushOwnedMappingsAsync(NetnsLab lab, string backend) => backend == "Nftables"
        ? lab.ExecAsync(lab.RouterNamespace, "nft", "flush", "map", "ip", "routeradmin", "mappings")
        : lab.IptablesAsync("-t", "nat", "-F", "ROUTERADMIN-SNAT");

    /// <summary>A reboot: the kernel forgets every rule and address RouterAdmin put there, and keeps everything else.</summary>
    public static async Task ForgetOwnedStateAsync(NetnsLab lab, string backend)
    {
        if (backend == "Nftables")
            await lab.ExecAsync(lab.RouterNamespace, "nft", "delete", "table", "ip", "routeradmin");
        else
        {
            await lab.IptablesAsync("-t", "nat", "-D", "POSTROUTING", "1");
            await lab.IptablesAsync("-t", "nat", "-F", "ROUTERADMIN-SNAT");
            await lab.IptablesAsync("-t", "nat", "-X", "ROUTERADMIN-SNAT");
            await lab.IptablesAsync("-t", "nat", "-X", "ROUTERADMIN-MASQ");
        }
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "flush", "dev", NetnsLab.WanInterface, "label", "wan:ra");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"-s (\d+(?:\.\d+){3})/32 -d \S+ .*-j SNAT --to-source (\d+(?:\.\d+){3})")]
    private static partial System.Text.RegularExpressions.Regex IptablesMapping();

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d+(?:\.\d+){3}) \. [\d./]+ counter comment ""[^""]*"" : (\d+(?:\.\d+){3})")]
    private static partial System.Text.RegularExpressions.Regex NftMapping();

    [System.Text.RegularExpressions.GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial System.Text.RegularExpressions.Regex Counters();

    public static async Task<string> OwnedChainAsync(NetnsLab lab) =>
        string.Join('\n', (await lab.ExecAsync(lab.RouterNamespace, "iptables-save", "-t", "nat"))
            .Split('\n').Where(l => l.Contains("ROUTERADMIN-", StringComparison.Ordinal) && !l.StartsWith(':')));

    public static async Task<IReadOnlyList<string>> OwnedAddressesAsync(NetnsLab lab) =>
        (await lab.ExecAsync(lab.RouterNamespace, "ip", "-4", "-o", "addr", "show", "dev", NetnsLab.WanInterface))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("wan:ra", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .ToArray();
}
