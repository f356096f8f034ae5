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
