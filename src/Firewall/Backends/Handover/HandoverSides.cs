using System.Net;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Handover;

/// <summary>
/// The two real backends of one router: the configured one (the owner) and the other (the previous owner, whose state
/// a switch of backend leaves behind until the next apply). Only words here, no syntax: each backend reads, removes
/// and puts back its own state.
/// </summary>
public sealed class HandoverSides(IFirewallBackend owner, FirewallBackendKind ownerKind, IFirewallBackend previous, FirewallBackendKind previousKind)
{
    public IFirewallBackend Owner => owner;
    public IFirewallBackend Previous => previous;
    public FirewallBackendKind OwnerKind => ownerKind;
    public FirewallBackendKind PreviousKind => previousKind;

    /// <summary>nftables' chain runs at <c>srcnat - 10</c>, iptables' at <c>srcnat</c>: whichever holds a flow there wins.</summary>
    public bool PreviousRunsFirst => previousKind == FirewallBackendKind.Nftables;

    public PreviousOwner Note => new(Word(previousKind), Artefact(ownerKind));

    public string OwnerArtefact => Artefact(ownerKind);

    public static string Word(FirewallBackendKind kind) => kind == FirewallBackendKind.Nftables ? "nftables" : "iptables";

    private static string Artefact(FirewallBackendKind kind) => kind == FirewallBackendKind.Nftables ? "the nftables table" : "the iptables chains";

    /// <summary>Where each flow leaves from when both sides hold rules: the side whose chain runs first wins, then hand-written rules.</summary>
    public Dictionary<(IPNetwork Source, IPNetwork Destination), IPAddress> Effective(FirewallPlan ownerPlan, FirewallPlan previousPlan, IEnumerable<FoundMapping> handWritten)
    {
        var (first, second) = PreviousRunsFirst ? (previousPlan, ownerPlan) : (ownerPlan, previousPlan);
        return first.Mappings.Concat(second.Mappings)
            .Select(m => new FoundMapping(new IPNetwork(m.Client, 32), m.Endpoint, m.External))
            .Concat(handWritten)
            .GroupBy(m => m.Flow)
            .ToDictionary(g => g.Key, g => g.First().ToSource);
    }

    /// <summary>Both sides' mappings as one plan (the router's behaviour in people's words), the owner's addresses.</summary>
    public FirewallPlan Merge(FirewallPlan ownerPlan, FirewallPlan previousPlan, bool previousHolds)
    {
        if (!previousHolds) return ownerPlan with { TakenOver = ownerPlan.TakenOver.Union(previousPlan.TakenOver).ToArray() };
        var (first, second) = PreviousRunsFirst ? (previousPlan, ownerPlan) : (ownerPlan, previousPlan);
        var flows = first.Mappings.Select(m => m.Flow).ToHashSet();
        return new FirewallPlan(first.Mappings.Concat(second.Mappings.Where(m => !flows.Contains(m.Flow))).ToArray(),
            ownerPlan.Addresses, ownerPlan.Masquerade ?? previousPlan.Masquerade)
        {
            TakenOver = ownerPlan.TakenOver.Union(previousPlan.TakenOver).ToArray(),
            HeldByPrevious = Note,
        };
    }
}
