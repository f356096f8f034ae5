using System.Net;

namespace RouterAdmin.Domain;

/// <summary>A public address the ISP gave us, reachable as an alias on a WAN interface.</summary>
public sealed class ExternalAddress
{
    public int Id { get; set; }
    public required IPAddress Address { get; set; }
    public required string Interface { get; set; }
    public int PrefixLength { get; set; } = 24;

    /// <summary>
    /// When set, RouterAdmin adds the address to the WAN interface itself (<c>ip addr add</c>) and removes only
    /// what it added. When clear, the address is expected to be configured on the router already.
    /// </summary>
    public bool BindOnWan { get; set; }

    public string? Notes { get; set; }

    public List<Assignment> Assignments { get; set; } = [];
}
