using System.Net;

namespace RouterAdmin.Domain;

/// <summary>A LAN machine (usually one employee's) whose VPN traffic needs its own external address.</summary>
public sealed class Client
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required IPAddress LanAddress { get; set; }
    public string? MacAddress { get; set; }
    public string? Notes { get; set; }

    /// <summary>A disabled client keeps its assignments but gets no rules, so it can be paused without losing its address.</summary>
    public bool Enabled { get; set; } = true;

    public List<Assignment> Assignments { get; set; } = [];
}
