using RouterAdmin.LabTests.Lab;

namespace RouterAdmin.LabTests.Console;

/// <summary>
/// The parts of the lab router RouterAdmin must never touch, as text: every table but its own chains and jump, with the
/// generated-by comments and counters stripped so two snapshots compare byte for byte.
/// </summary>
public static class RouterSnapshot
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
