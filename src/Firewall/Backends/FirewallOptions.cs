namespace RouterAdmin.Firewall.Backends;

public enum FirewallBackendKind
{
    /// <summary>Keeps the "live" ruleset in the database: the whole console works without root and nothing reaches the kernel.</summary>
    Simulated,
    /// <summary>The router's real nat table through iptables-save / iptables-restore, ip and conntrack.</summary>
    Iptables,
    /// <summary>One owned nftables table (<c>table ip routeradmin</c>) with one map rule, through <c>nft -f</c> and <c>nft -j</c>.</summary>
    Nftables,
}

/// <summary>Bound from <c>RouterAdmin:Firewall</c> in appsettings.json.</summary>
public sealed class FirewallOptions
{
    public const string Section = "RouterAdmin:Firewall";

    public FirewallBackendKind Backend { get; set; } = FirewallBackendKind.Simulated;

    /// <summary>Run every command inside this network namespace (<c>ip netns exec NS …</c>); empty for the router's own.</summary>
    public string? Namespace { get; set; }

    /// <summary><c>auto</c> uses whatever <c>iptables</c> is on the system; <c>nft</c> or <c>legacy</c> pick that variant's binaries.</summary>
    public string Flavor { get; set; } = "auto";

    /// <summary>How long iptables-restore waits for the xtables lock before giving up (legacy iptables; nft ignores it).</summary>
    public int LockWaitSeconds { get; set; } = 10;

    /// <summary>How long any single command may run before it is killed and the apply fails.</summary>
    public int CommandTimeoutSeconds { get; set; } = 60;

    /// <summary>The one nftables table the nftables backend owns (<c>table ip NAME</c>); letters, digits and '_' only.</summary>
    public string NftTable { get; set; } = "routeradmin";

    /// <summary>
    /// nft's library, loaded into the console so that reading and changing the table start no process; empty to run
    /// the <c>nft</c> binary (<see cref="ToolPaths.Nft"/>) instead.
    /// </summary>
    public string? NftLibrary { get; set; } = "libnftables.so.1";

    public ToolPaths Paths { get; set; } = new();

    public sealed class ToolPaths
    {
        public string Ip { get; set; } = "ip";
        public string Conntrack { get; set; } = "conntrack";
        public string? Iptables { get; set; }
        public string? IptablesSave { get; set; }
        public string? IptablesRestore { get; set; }
        public string Nft { get; set; } = "nft";
    }

    public static readonly IReadOnlyList<string> Flavors = ["auto", "nft", "legacy"];

    public static IEnumerable<string> Problems(FirewallOptions options)
    {
        if (!Enum.IsDefined(options.Backend))
            yield return $"{Section}:Backend must be Simulated or Iptables.";
        // Compared exactly, as IptablesTool does: "NFT" or "nftt" must not quietly mean auto.
        if (!Flavors.Contains(options.Flavor, StringComparer.Ordinal))
            yield return $"{Section}:Flavor must be auto, nft or legacy (was '{options.Flavor}').";
        if (options.Namespace is { Length: > 0 } ns && (ns.Contains('/') || ns.Any(char.IsWhiteSpace) || ns is "." or ".."))
            yield return $"{Section}:Namespace must be a network namespace name as `ip netns` shows it (was '{ns}').";
        if (options.LockWaitSeconds is < 0 or > 3600)
            yield return $"{Section}:LockWaitSeconds must be between 0 and 3600 (was {options.LockWaitSeconds}).";
        if (options.CommandTimeoutSeconds is < 1 or > 3600)
            yield return $"{Section}:CommandTimeoutSeconds must be between 1 and 3600 (was {options.CommandTimeoutSeconds}).";
        if (string.IsNullOrWhiteSpace(options.Paths.Ip))
            yield return $"{Section}:Paths:Ip must name the ip tool.";
        if (string.IsNullOrWhiteSpace(options.Paths.Conntrack))
            yield return $"{Section}:Paths:Conntrack must name the conntrack tool.";
    }

    public string IptablesTool(string tool) => (tool, Flavor) switch
    {
        ("iptables", _) when Paths.Iptables is { Length: > 0 } p => p,
        ("iptables-save", _) when Paths.IptablesSave is { Length: > 0 } p => p,
        ("iptables-restore", _) when Paths.IptablesRestore is { Length: > 0 } p => p,
        (_, "nft") => tool.Replace("iptables", "iptables-nft"),
        (_, "legacy") => tool.Replace("iptables", "iptables-legacy"),
        _ => tool,
    };
}
