using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends;

/// <summary>
/// The part of the router RouterAdmin owns, in one backend's own terms: wanted (a rendered plan), found on the kernel,
/// or stored in a revision's snapshot. The engine keeps and compares it without reading it.
/// </summary>
public interface IOwnedFirewall
{
    /// <summary>What it does, in the domain's words.</summary>
    FirewallPlan ToPlan();

    /// <summary>The form a revision stores; the same backend's <see cref="IFirewallBackend.Load"/> reads it back.</summary>
    string ToJson();
}

/// <summary>One read of the router: RouterAdmin's part, the addresses on it, and what others wrote that matters to it.</summary>
public interface ILiveFirewall
{
    IOwnedFirewall Owned { get; }
    IReadOnlyList<LiveAddress> Addresses { get; }

    /// <summary>The backend's tables as its tool printed them, kept with each revision for the administrator.</summary>
    string Text { get; }

    /// <summary>Source-NAT rules others wrote, in the order they run: candidates for import and adoption.</summary>
    IReadOnlyList<ForeignSnatRule> ForeignSnat { get; }

    /// <summary>How many new flows each of RouterAdmin's mappings has translated (nat sees only each flow's first packet).</summary>
    IReadOnlyList<MappingCounters> Counters { get; }

    /// <summary>The general masquerade someone else wrote, if there is one.</summary>
    ForeignMasquerade? ForeignMasquerade { get; }
}

/// <summary>
/// A backend's exact answer to "what turns the live router into the wanted state": its one transaction, the addresses
/// to bind and unbind, the flows whose conntrack entries must go, and its own text diff (built only when shown).
/// </summary>
public interface IBackendChange
{
    IOwnedFirewall Desired { get; }
    ILiveFirewall Live { get; }

    /// <summary>The input of the one atomic transaction; empty when the rules need no change.</summary>
    string Transaction { get; }

    IReadOnlyList<BoundAddress> AddressesToAdd { get; }
    IReadOnlyList<BoundAddress> AddressesToRemove { get; }
    IReadOnlyList<FlowKey> FlowsToReset { get; }

    /// <summary>What putting the router back as this change found it needs: the owned part as it is, and any foreign rule the change deletes.</summary>
    IOwnedFirewall Undo { get; }

    IReadOnlyList<DiffLine> Diff { get; }
    int LinesAdded { get; }
    int LinesRemoved { get; }

    bool RulesChange => Transaction.Length > 0;
    bool InSync => !RulesChange && AddressesToAdd.Count == 0 && AddressesToRemove.Count == 0;
}

/// <summary>The router, read back after a change, is not what was planned (someone changed it meanwhile, or a tool misbehaved).</summary>
public sealed class VerificationException(IBackendChange difference)
    : Exception("The router, read back after the apply, differs from the plan: "
        + string.Join("; ", difference.Diff.Where(l => l.Kind != DiffKind.Unchanged).Take(5).Select(l => l.Unified.Trim())));
