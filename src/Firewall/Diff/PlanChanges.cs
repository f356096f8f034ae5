using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Diff;

public enum MappingChangeKind { Appears, Moves, Goes }

/// <summary>One client's way to one endpoint, as the change affects it: From is where it leaves from now, To after.</summary>
public sealed record MappingChange(MappingChangeKind Kind, IPAddress Client, IPNetwork Endpoint, IPAddress? From, IPAddress? To, string Who)
{
    /// <summary>"Ann O'Neil → Contivity North: 192.0.2.11 → 192.0.2.14", as an administrator says it.</summary>
    public override string ToString() => Kind switch
    {
        MappingChangeKind.Appears => $"{Who}: leaves from {To} (was masqueraded)",
        MappingChangeKind.Moves => $"{Who}: {From} → {To}",
        _ => $"{Who}: removed (left from {From})",
    };

    /// <summary>The names as typed when the plan has them, otherwise the label the kernel keeps, with the addresses.</summary>
    internal static string WhoOf(SnatMapping mapping) => mapping.Names is { } names
        ? $"{names.Client} → {names.Endpoint}"
        : $"{(mapping.Label.Length > 0 ? mapping.Label + " " : "")}({mapping.Client} → {Ipv4.Format(mapping.Endpoint)})";
}

/// <summary>
/// The change in the domain's words, whatever the backend: which mapping appears, moves or goes, which addresses are
/// bound or unbound, whether the managed masquerade starts or stops, and how many hand-written rules are taken over.
/// </summary>
public sealed record PlanChanges(
    IReadOnlyList<MappingChange> Mappings,
    IReadOnlyList<BoundAddress> Bind,
    IReadOnlyList<BoundAddress> Unbind,
    bool? MasqueradeManaged,
    int TakenOver)
{
    /// <summary>A switch of backend: what the other backend left and when it goes (or, for an undo, comes back).</summary>
    public string? Handover { get; init; }

    /// <summary>The VPN watch starts (the LAN it watches) or stops; null when it stays as it is.</summary>
    public string? Watch { get; init; }

    public bool None => Mappings.Count == 0 && Bind.Count == 0 && Unbind.Count == 0 && MasqueradeManaged is null && TakenOver == 0 && Handover is null && Watch is null;

    /// <summary>Pure: from what the router does (<paramref name="live"/>) to what is wanted.</summary>
    public static PlanChanges Between(FirewallPlan live, FirewallPlan wanted)
    {
        var before = live.Mappings.GroupBy(m => m.Flow).ToDictionary(g => g.Key, g => g.First());
        var after = wanted.Mappings.GroupBy(m => m.Flow).ToDictionary(g => g.Key, g => g.First());
        var changes = new List<MappingChange>();
        foreach (var (flow, mapping) in after)
        {
            if (!before.TryGetValue(flow, out var old))
                changes.Add(new MappingChange(MappingChangeKind.Appears, flow.Client, flow.Endpoint, null, mapping.External, MappingChange.WhoOf(mapping)));
            else if (!old.External.Equals(mapping.External))
                changes.Add(new MappingChange(MappingChangeKind.Moves, flow.Client, flow.Endpoint, old.External, mapping.External, MappingChange.WhoOf(mapping)));
        }
        foreach (var (flow, mapping) in before)
            if (!after.ContainsKey(flow))
                changes.Add(new MappingChange(MappingChangeKind.Goes, flow.Client, flow.Endpoint, mapping.External, null, MappingChange.WhoOf(mapping)));

        var liveAddresses = live.Addresses.ToHashSet();
        var wantedAddresses = wanted.Addresses.ToHashSet();
        bool? masquerade = (live.Masquerade is null) == (wanted.Masquerade is null) ? null : wanted.Masquerade is not null;
        return new PlanChanges(
            changes.OrderBy(c => Ipv4.ToUInt32(c.Client)).ThenBy(c => Ipv4.ToUInt32(c.Endpoint.BaseAddress)).ToArray(),
            wanted.Addresses.Where(a => !liveAddresses.Contains(a)).ToArray(),
            live.Addresses.Where(a => !wantedAddresses.Contains(a)).ToArray(),
            masquerade,
            wanted.TakenOver.Count)
        {
            Handover = (live.HeldByPrevious, wanted.HeldByPrevious) switch
            {
                ({ } leaving, null) => leaving.Leaving,
                (null, { } returning) => returning.Returning,
                _ => null,
            },
            Watch = (live.WatchedLan, wanted.WatchedLan) switch
            {
                (var watched, { } lan) when !Equals(watched, lan) => $"Watch for dropped VPN users: counts unconfirmed ESP from {lan} (one rule in its own table, routeradmin_watch)",
                ({ }, null) => "Watch for dropped VPN users: removed",
                _ => null,
            },
        };
    }
}
