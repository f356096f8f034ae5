using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends;

/// <summary>A conntrack entry, as far as the dashboard cares; the ports are those of TCP and UDP entries (none for ESP).</summary>
/// <param name="DestinationPort">The original direction's destination port: 500 for IKE, 4500 for NAT-T.</param>
/// <param name="ReplyDestinationPort">The port the reply goes to, i.e. the source port the flow leaves from after NAT.</param>
public sealed record ConntrackEntry(string Protocol, string Source, string Destination, string ReplySource, string ReplyDestination, int TimeoutSeconds,
    int? SourcePort = null, int? DestinationPort = null, int? ReplyDestinationPort = null)
{
    public const int IkePort = 500;
    public const int NatTraversalPort = 4500;

    /// <summary>An IPsec tunnel's data (IP protocol 50).</summary>
    public bool IsEsp => Protocol == "esp";

    /// <summary>Its key exchange: IKE, or NAT-T, on UDP.</summary>
    public bool IsIke => Protocol == "udp";

    /// <summary>IKE's own exchange, to UDP 500 (what comes before raw ESP).</summary>
    public bool IsIkeExchange => Protocol == "udp" && DestinationPort == IkePort;

    /// <summary>NAT Traversal: ESP inside UDP 4500, which masquerade remaps by port like any UDP, so it cannot collide.</summary>
    public bool IsNatTraversal => Protocol == "udp" && DestinationPort == NatTraversalPort;
}

/// <summary>How many new flows one mapping's rule has translated (nat sees only each flow's first packet).</summary>
public sealed record MappingCounters(FoundMapping Mapping, long Packets, long Bytes);

/// <summary>
/// Where RouterAdmin's rules live. The engine speaks only this: the backend renders the plan in its syntax, reads the
/// router back into the same shape, works out and runs its own transaction, and verifies it. Addresses and
/// connection tracking are the host's, whatever the rule syntax.
/// </summary>
public interface IFirewallBackend : IHostNetwork
{
    /// <summary>"iptables (nf_tables)", "simulated", …: shown in the banner and recorded with every revision.</summary>
    string Name { get; }

    /// <summary>False for the simulated backend: the UI says that nothing reaches the kernel.</summary>
    bool TouchesKernel { get; }

    string? Namespace { get; }

    /// <summary>The tool whose input <see cref="IBackendChange.Transaction"/> is ("iptables-restore", "nft -f"), for the preview.</summary>
    string TransactionTool { get; }

    /// <summary>
    /// One read of the router; with the rules' counters when the caller shows them (they cost a little at 10,000 rules).
    /// Without counters, the same object may be handed out again while the backend can tell nothing it reads has changed
    /// (the nf_tables generation; the addresses are read every time), so a caller may keep what it worked out from a read
    /// for as long as the next read is that same object.
    /// </summary>
    Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false);

    IOwnedFirewall Render(FirewallPlan plan);

    /// <summary>Reads a state this backend stored with <see cref="IOwnedFirewall.ToJson"/>.</summary>
    IOwnedFirewall Load(string json);

    /// <summary>The router as a revision's snapshot found it: the text it kept, with the owned addresses of its state.</summary>
    ILiveFirewall Reconstruct(string text, IOwnedFirewall owned);

    /// <summary>Pure: what turns <paramref name="live"/> into <paramref name="desired"/>.</summary>
    IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live);

    /// <summary>The change's rules, in one atomic transaction: all of it takes effect, or none.</summary>
    Task CommitAsync(IBackendChange change, CancellationToken cancellationToken);

    /// <summary>Reads the router back; throws <see cref="VerificationException"/> when it is not <paramref name="desired"/>.</summary>
    Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken);

    /// <summary>The transaction's command, as text for the preview and the history.</summary>
    string DescribeCommit();

    /// <summary>The commands <see cref="CommitAsync"/> runs for this change, in order (one, unless the change spans two backends).</summary>
    IReadOnlyList<string> DescribeCommit(IBackendChange change) => [DescribeCommit()];

    // What a backend offers the other one when the administrator switches (see Backends/Handover): each removes or
    // puts back only its own state, in its own syntax.

    /// <summary>
    /// One read of what this backend holds on a router the other backend now runs: its own leftovers, and the
    /// hand-written rules only it can read. May read less than <see cref="ReadAsync"/> (nothing it does not need).
    /// </summary>
    Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What this backend should hold while the other one owns the router: nothing of its own, the plan's addresses
    /// (the host's, whoever owns the rules), and the hand-written rules in <see cref="FirewallPlan.TakenOver"/> that
    /// are in its words deleted.
    /// </summary>
    IOwnedFirewall RenderAbsent(FirewallPlan plan);

    /// <summary>Whether a revision's stored state is in this backend's form (one stored before a switch is the other backend's).</summary>
    bool IsStoredState(string json);
}
