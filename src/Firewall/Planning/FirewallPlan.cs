using System.Net;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Planning;

/// <summary>
/// One mapping in the domain's words: traffic from <see cref="Client"/> to <see cref="Endpoint"/> leaves from
/// <see cref="External"/>. <see cref="Label"/> names client and endpoint in characters every backend's comments accept.
/// </summary>
public sealed record SnatMapping(IPAddress Client, IPNetwork Endpoint, IPAddress External, string Label)
{
    public (IPAddress Client, IPNetwork Endpoint) Flow => (Client, Endpoint);

    /// <summary>The client's and endpoint's names as typed, for people; null when read back from a kernel, which keeps only the label.</summary>
    public MappingNames? Names { get; init; }

    // The same mapping whether or not it carries the names for people: a planned one must equal the one read back.
    public bool Equals(SnatMapping? other) =>
        other is not null && Client.Equals(other.Client) && Endpoint.Equals(other.Endpoint) && External.Equals(other.External) && Label == other.Label;

    public override int GetHashCode() => HashCode.Combine(Client, Endpoint, External, Label);
}

public sealed record MappingNames(string Client, string Endpoint);

/// <summary>The general masquerade RouterAdmin keeps after its mappings, when the administrator lets it.</summary>
public sealed record MasqueradePlan(IPNetwork LanSubnet, string WanInterface);

/// <summary>
/// What must hold on the router, in the domain's words and in no backend's syntax: the mappings in order, the
/// addresses to bind, and the managed masquerade. Each backend renders it into its own rules and reads its rules back
/// into this shape, so the change can be told in people's words whatever the backend.
/// </summary>
public sealed record FirewallPlan(IReadOnlyList<SnatMapping> Mappings, IReadOnlyList<BoundAddress> Addresses, MasqueradePlan? Masquerade)
{
    public static FirewallPlan Nothing { get; } = new([], [], null);

    /// <summary>
    /// Hand-written rules the inventory has taken over (imported or adopted), in the text of the backend they were
    /// found in: the next apply deletes them. The planner passes them through without reading them.
    /// </summary>
    public IReadOnlyList<string> TakenOver { get; init; } = [];

    /// <summary>
    /// The LAN whose VPN users are watched for drops (see Detection), or null when the watch is off. Not a rule of the
    /// backend's own: every backend keeps it in the same nf_tables watch table.
    /// </summary>
    public IPNetwork? WatchedLan { get; init; }

    /// <summary>Set when some of these mappings are held by the other backend's state (a switch of backend not yet applied).</summary>
    public PreviousOwner? HeldByPrevious { get; init; }
}

/// <summary>The backend that held the router before a switch ("iptables"), and what of the running one replaces it ("the nftables table").</summary>
public sealed record PreviousOwner(string Backend, string Replacement)
{
    public string Leaving => $"left by the {Backend} backend: will be removed after {Replacement} is installed";
    public string TakingOver => $"hand-written {Backend} rules taken over: deleted by {Backend} after {Replacement} is installed";
    public string Returning => $"{Backend} rules put back first; then {Replacement} lets go of those clients";
}
