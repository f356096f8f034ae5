using RouterAdmin.Tests.Support;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Import;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests.Firewall;

/// <summary>Import and adoption read only what a rule really says, and an undo puts back what an apply took over.</summary>
public sealed class ImportPlannerSpecs
{
    private const string HandWritten = "-A POSTROUTING -s 192.168.1.5/32 -d 198.51.100.10/32 -j SNAT --to-source 203.0.113.5";

    [Fact]
    public void A_negated_masquerade_suggests_no_wan_interface_or_lan()
    {
        var live = Live(NatTable("-A POSTROUTING -s 10.9.0.0/16 ! -o br-lan -j MASQUERADE", HandWritten));

        var proposal = ImportPlanner.Scan(InventoryOf(), live);

        Assert.Null(proposal.SuggestedWanInterface);
        Assert.Null(proposal.SuggestedLanSubnet);
        Assert.True(Assert.Single(proposal.Candidates).Importable);
    }

    [Fact]
    public void Adopting_keeps_the_addresses_reserved_for_disabled_clients_whose_rules_are_absent_by_design()
    {
        var inventory = InventoryOf(
            [Client(1, "Alice", "192.168.1.2"), Client(2, "Bob", "192.168.1.3", enabled: false)],
            [External(1, "203.0.113.2"), External(2, "203.0.113.3")],
            [Endpoint(1, "Contivity", "198.51.100.10")],
            [Assignment(1, 1, 1, 1), Assignment(2, 2, 1, 2)]);
        var planned = Planned.Rules(inventory);
        var live = Live(IptablesSaveParser.Format(RestoreInterpreter.Apply(IptablesSaveParser.Parse(NatTable(MasqueradeLine)),
            RestoreScriptWriter.Write(planned, OwnedState.Nothing))));

        var (adopted, _) = ImportPlanner.Adopt(inventory, live);

        Assert.Equal([(1, 1), (2, 2)], adopted.Assignments.Select(a => (a.ClientId, a.ExternalAddressId)).OrderBy(a => a.Item1));
        Assert.True(IptablesDiffer.Compare(Planned.Rules(adopted), live).InSync);
    }

    [Fact]
    public void Putting_a_snapshot_back_reinserts_the_hand_written_rules_the_apply_had_taken_over_in_their_places()
    {
        var before = NatTable(HandWritten, MasqueradeLine);
        var beforeState = Live(before).Owned with { Reinstated = [new Jump(1, NatRule.FromSaveLine(HandWritten))] };
        var after = IptablesSaveParser.Format(RestoreInterpreter.Apply(IptablesSaveParser.Parse(before),
            RestoreScriptWriter.Write(Plan(retired: true), OwnedState.Nothing, [NatRule.FromSaveLine(HandWritten)])));
        Assert.DoesNotContain(HandWritten, after);

        var undo = IptablesDiffer.Compare(beforeState, Live(after));
        var restored = RestoreInterpreter.Apply(IptablesSaveParser.Parse(after), undo.RestoreScript);

        Assert.Equal([HandWritten, MasqueradeLine], restored.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
        Assert.Contains(undo.Diff, l => l.Kind == DiffKind.Added && l.Text == HandWritten);
        Assert.True(IptablesDiffer.Compare(beforeState, Live(IptablesSaveParser.Format(restored))).InSync);
    }

    private static OwnedState Plan(bool retired) =>
        Planned.Rules(InventoryOf(
            [Client(1, "Eve", "192.168.1.5")], [External(1, "203.0.113.5")], [Endpoint(1, "Contivity", "198.51.100.10")], [Assignment(1, 1, 1, 1)])
            with { RetiredRules = retired ? [HandWritten] : [] });
}
