using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>Turns what the kernel printed into the same model the planner produces, so the two can be compared.</summary>
public static class LiveStateBuilder
{
    public static KernelState Build(string natTableText, IReadOnlyList<LiveAddress> addresses)
    {
        var (table, counters) = IptablesSaveParser.ParseWithCounters(natTableText);
        var jumps = table.RulesOf(OwnedChains.Postrouting)
            .Select((rule, index) => new Jump(index + 1, rule))
            .Where(j => j.Rule.Target == OwnedChains.Snat)
            .ToArray();
        var owned = new OwnedState(
            table.Find(OwnedChains.Snat) is not null && table.Find(OwnedChains.Masquerade) is not null,
            jumps,
            table.RulesOf(OwnedChains.Snat),
            table.RulesOf(OwnedChains.Masquerade),
            addresses.Where(a => a.IsOwned)
                .Select(a => a.Bound)
                .OrderBy(a => a.Interface, StringComparer.Ordinal)
                .ThenBy(a => Ipv4.ToUInt32(a.Address))
                .ToArray());
        return new KernelState(table, addresses, owned, natTableText) { RuleCounters = counters };
    }
}
