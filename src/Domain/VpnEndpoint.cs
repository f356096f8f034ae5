using System.Net;

namespace RouterAdmin.Domain;

/// <summary>A remote VPN server (or network of servers) that clients reach without NAT Traversal.</summary>
public sealed class VpnEndpoint
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required IPNetwork Destination { get; set; }
    public string? Notes { get; set; }

    public List<Assignment> Assignments { get; set; } = [];
}
