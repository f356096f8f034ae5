using System.Net;

namespace RouterAdmin.Domain;

/// <summary>The router-wide facts the rules depend on. There is exactly one row.</summary>
public sealed class RouterSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public required string WanInterface { get; set; }
    public required IPNetwork LanSubnet { get; set; }

    /// <summary>When set, RouterAdmin also owns the general LAN → WAN MASQUERADE, in its own chain after the SNAT rules.</summary>
    public bool ManageMasquerade { get; set; }

    /// <summary>When set, RouterAdmin keeps the watch for dropped VPN users (its own nf_tables table) on the router.</summary>
    public bool WatchVpnUsers { get; set; }
}
