using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends;

/// <summary>A conntrack entry, as far as the dashboard cares.</summary>
public sealed record ConntrackEntry(string Protocol, string Source, string Destination, string ReplySource, string ReplyDestination, int TimeoutSeconds);

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

    /// <summary>One read of the router; with the rules' counters when the caller shows them (they cost a little at 10,000 rules).</summary>
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
}
