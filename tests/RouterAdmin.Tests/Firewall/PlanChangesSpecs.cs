using System.Net;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>The change in the domain's words, whatever the backend: which mapping appears, moves or goes.</summary>
public sealed class PlanChangesSpecs
{
    private static readonly IPNetwork North = IPNetwork.Parse("198.51.100.10/32");
    private static readonly IPNetwork South = IPNetwork.Parse("198.51.100.0/28");

    private static SnatMapping Mapping(string client, IPNetwork endpoint, string external, string? name = null) =>
        new(IPAddress.Parse(client), endpoint, IPAddress.Parse(external), "label") { Names = name is null ? null : new MappingNames(name, endpoint == North ? "Contivity North" : "Contivity South") };

    private static FirewallPlan Plan(params SnatMapping[] mappings) => new(mappings, [], null);

    [Fact]
    public void A_mapping_that_moves_appears_and_goes_is_told_by_name_with_both_addresses()
    {
        var live = Plan(Mapping("192.168.1.2", North, "192.0.2.11"), Mapping("192.168.1.3", South, "192.0.2.12"));
        var wanted = Plan(Mapping("192.168.1.2", North, "192.0.2.14", "Ann O'Neil"), Mapping("192.168.1.4", North, "192.0.2.15", "Carol"));

        var changes = PlanChanges.Between(live, wanted);

        Assert.Equal(
        [
            "Ann O'Neil → Contivity North: 192.0.2.11 → 192.0.2.14",
            "label (192.168.1.3 → 198.51.100.0/28): removed (left from 192.0.2.12)",
            "Carol → Contivity North: leaves from 192.0.2.15 (was masqueraded)",
        ], changes.Mappings.Select(c => c.ToString()));
        Assert.Equal([MappingChangeKind.Moves, MappingChangeKind.Goes, MappingChangeKind.Appears], changes.Mappings.Select(c => c.Kind));
    }

    [Fact]
    public void The_same_plan_is_no_change_and_addresses_and_masquerade_are_counted_apart()
    {
        var address = new BoundAddress(IPAddress.Parse("203.0.113.2"), 24, "eth1");
        var live = new FirewallPlan([Mapping("192.168.1.2", North, "203.0.113.2")], [], null);
        var wanted = new FirewallPlan([Mapping("192.168.1.2", North, "203.0.113.2")], [address], new MasqueradePlan(IPNetwork.Parse("192.168.1.0/24"), "eth1"));

        Assert.True(PlanChanges.Between(live, live).None);
        var changes = PlanChanges.Between(live, wanted);
        Assert.Empty(changes.Mappings);
        Assert.Equal([address], changes.Bind);
        Assert.True(changes.MasqueradeManaged);
    }

    [Fact]
    public void The_iptables_rendering_reads_back_into_the_same_plan()
    {
        var plan = new FirewallPlan(
            [new SnatMapping(IPAddress.Parse("192.168.1.2"), North, IPAddress.Parse("203.0.113.2"), "Alice to North")],
            [new BoundAddress(IPAddress.Parse("203.0.113.2"), 24, "eth1")],
            new MasqueradePlan(IPNetwork.Parse("192.168.1.0/24"), "eth1"));

        var back = IptablesRules.ToPlan(IptablesRules.Render(plan));

        Assert.Equal(plan.Mappings, back.Mappings);
        Assert.Equal(plan.Addresses, back.Addresses);
        Assert.Equal(plan.Masquerade, back.Masquerade);
        Assert.True(PlanChanges.Between(back, plan).None);
    }

    [Fact]
    public void A_planned_mapping_with_names_equals_the_same_mapping_read_back_without_them()
    {
        var planned = Mapping("192.168.1.2", North, "203.0.113.2", "Ann O'Neil");
        var readBack = Mapping("192.168.1.2", North, "203.0.113.2");

        Assert.Equal(planned, readBack);
        Assert.Equal(planned.GetHashCode(), readBack.GetHashCode());
        Assert.NotEqual(planned, readBack with { External = IPAddress.Parse("203.0.113.3") });
    }
}
