using System.Net;
using RouterAdmin.Tests.Support;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests.Firewall;

/// <summary>Desired against live: in sync, or exactly the restore script, address changes and flow resets needed.</summary>
public sealed class FirewallDifferSpecs
{
    private const string Chains = ":ROUTERADMIN-MASQ - [0:0]\n:ROUTERADMIN-SNAT - [0:0]";
    private static readonly string AliceRule = Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.9", "Alice to Contivity");

    private static InventorySnapshot Assigned(params (string Client, string Lan, string External)[] assignments) =>
        Assigned(bind: false, assignments);

    private static InventorySnapshot Assigned(bool bind, params (string Client, string Lan, string External)[] assignments) =>
        InventoryOf(
            assignments.Select((a, i) => Client(i + 1, a.Client, a.Lan)).ToArray(),
            assignments.Select((a, i) => External(i + 1, a.External, bind)).ToArray(),
            [Endpoint(1, "Contivity", "198.51.100.10")],
            assignments.Select((_, i) => Assignment(i + 1, i + 1, 1, i + 1)).ToArray());

    private static IptablesChange Compare(InventorySnapshot inventory, KernelState live) =>
        IptablesDiffer.Compare(Planned.Rules(inventory), live);

    private static FlowKey Flow(string client) => new(IPNetwork.Parse(client + "/32"), IPNetwork.Parse("198.51.100.10/32"));

    [Fact]
    public void A_router_holding_exactly_the_plan_is_in_sync_and_nothing_would_run()
    {
        var preview = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(Chains, JumpLine, MasqueradeLine, AliceRule)));

        Assert.True(preview.InSync);
        Assert.False(preview.RulesChange);
        Assert.Equal("", preview.RestoreScript);
        Assert.Empty(preview.AddressesToAdd);
        Assert.Empty(preview.AddressesToRemove);
        Assert.Empty(preview.FlowsToReset);
        Assert.All(preview.Diff, line => Assert.Equal(DiffKind.Unchanged, line.Kind));
        Assert.Equal((0, 0), (preview.RulesAdded, preview.RulesRemoved));
    }

    [Fact]
    public void A_fresh_router_gets_both_chains_the_rules_and_the_jump_inserted_first_in_one_transaction()
    {
        var preview = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(MasqueradeLine)));

        Assert.Equal(
            $"""
            *nat
            :ROUTERADMIN-SNAT - [0:0]
            :ROUTERADMIN-MASQ - [0:0]
            {AliceRule}
            {JumpLine.Replace("-A POSTROUTING", "-I POSTROUTING 1")}
            COMMIT

            """,
            preview.RestoreScript);
        Assert.Equal([Flow("192.168.1.2")], preview.FlowsToReset);
    }

    [Fact]
    public void Only_bound_addresses_changing_needs_no_restore_script()
    {
        var preview = Compare(Assigned(bind: true, ("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(Chains, JumpLine, MasqueradeLine, AliceRule)));

        Assert.False(preview.InSync);
        Assert.Equal("", preview.RestoreScript);
        Assert.Equal([new BoundAddress(IPAddress.Parse("203.0.113.9"), 24, "eth1")], preview.AddressesToAdd);
        Assert.Empty(preview.FlowsToReset);
    }

    [Fact]
    public void A_jump_that_is_not_first_is_deleted_by_its_exact_text_and_inserted_again_at_position_one()
    {
        var preview = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(Chains, MasqueradeLine, JumpLine, AliceRule)));

        Assert.False(preview.InSync);
        Assert.Equal(
        [
            "*nat",
            "-D POSTROUTING -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT",
            "-I POSTROUTING 1 -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT",
            "COMMIT",
        ], preview.RestoreScript.TrimEnd('\n').Split('\n'));
        Assert.Empty(preview.FlowsToReset);
    }

    [Fact]
    public void A_second_jump_someone_else_added_is_deleted_too_and_nothing_else_of_theirs_is_named()
    {
        const string foreignJump = "-A POSTROUTING -o eth1 -j ROUTERADMIN-SNAT";

        var script = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(Chains, JumpLine, MasqueradeLine, foreignJump, AliceRule))).RestoreScript;

        var lines = script.Split('\n');
        Assert.Contains("-D POSTROUTING -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT", lines);
        Assert.Contains("-D POSTROUTING -o eth1 -j ROUTERADMIN-SNAT", lines);
        Assert.DoesNotContain(lines, l => l.Contains("MASQUERADE", StringComparison.Ordinal));
    }

    [Fact]
    public void When_only_a_rule_changes_the_jump_in_place_is_left_alone()
    {
        var preview = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.10")), Live(NatTable(Chains, JumpLine, MasqueradeLine, AliceRule)));

        Assert.Equal(
        [
            "*nat",
            "-D" + AliceRule[2..],
            "-I ROUTERADMIN-SNAT 1" + Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.10", "Alice to Contivity")["-A ROUTERADMIN-SNAT".Length..],
            "COMMIT",
        ], preview.RestoreScript.TrimEnd('\n').Split('\n'));
        Assert.Equal((1, 1), (preview.RulesAdded, preview.RulesRemoved));
        Assert.Contains(preview.Diff, l => l is { Kind: DiffKind.Removed } && l.Text == AliceRule);
    }

    [Fact]
    public void Flows_are_reset_for_added_changed_and_removed_mappings_and_not_for_unchanged_ones()
    {
        var live = Live(NatTable(Chains, JumpLine, MasqueradeLine,
            Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.9", "Alice to Contivity"),
            Snat("192.168.1.3", "198.51.100.10/32", "203.0.113.10", "Bob to Contivity"),
            Snat("192.168.1.4", "198.51.100.10/32", "203.0.113.11", "Carol to Contivity")));
        var wanted = Assigned(("Alice", "192.168.1.2", "203.0.113.9"), ("Bob", "192.168.1.3", "203.0.113.12"), ("Dave", "192.168.1.5", "203.0.113.13"));

        var flows = Compare(wanted, live).FlowsToReset;

        Assert.Equal(
            new[] { Flow("192.168.1.3"), Flow("192.168.1.4"), Flow("192.168.1.5") }.ToHashSet(),
            flows.ToHashSet());
        Assert.Equal(3, flows.Count);
    }

    [Fact]
    public void Disabling_a_client_removes_its_rule_and_resets_its_flow()
    {
        var inventory = Assigned(("Alice", "192.168.1.2", "203.0.113.9"));
        var disabled = inventory with { Clients = [inventory.Clients[0] with { Enabled = false }] };

        var preview = Compare(disabled, Live(NatTable(Chains, JumpLine, MasqueradeLine, AliceRule)));

        Assert.DoesNotContain(AliceRule, preview.RestoreScript);
        Assert.Equal([Flow("192.168.1.2")], preview.FlowsToReset);
    }

    [Fact]
    public void Addresses_are_added_when_missing_and_only_owned_ones_are_removed()
    {
        var inventory = InventoryOf(externals: [External(1, "203.0.113.10", bind: true), External(2, "203.0.113.11", bind: true)]);
        var live = Live(NatTable(Chains, JumpLine), Owned("203.0.113.9"), Owned("203.0.113.10"), ByHand("203.0.113.20"));

        var preview = IptablesDiffer.Compare(Planned.Rules(inventory), live);

        Assert.Equal(["203.0.113.11/24 dev eth1"], preview.AddressesToAdd.Select(a => a.ToString()));
        Assert.Equal(["203.0.113.9/24 dev eth1"], preview.AddressesToRemove.Select(a => a.ToString()));
        Assert.Equal("", preview.RestoreScript);
    }

    [Fact]
    public void The_fingerprint_is_stable_for_the_same_change_and_differs_for_another()
    {
        var live = Live(NatTable(MasqueradeLine));

        var once = Previewed(Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), live)).Fingerprint;
        var again = Previewed(Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), live)).Fingerprint;
        var other = Previewed(Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.10")), live)).Fingerprint;
        var bound = Previewed(Compare(Assigned(bind: true, ("Alice", "192.168.1.2", "203.0.113.9")), live)).Fingerprint;

        Assert.Equal(once, again);
        Assert.Equal(16, once.Length);
        Assert.Equal(4, new[] { once, other, bound, Previewed(Compare(InventoryOf(), live)).Fingerprint }.Distinct().Count());
    }

    [Fact]
    public void The_line_diff_shows_the_jump_moving_to_the_top_and_keeps_foreign_rules_as_context()
    {
        var preview = Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(NatTable(Chains, MasqueradeLine, JumpLine, AliceRule)));

        Assert.Equal(
        [
            "  # nat POSTROUTING",
            "+ " + JumpLine,
            "  " + MasqueradeLine,
            "- " + JumpLine,
            "  # chain ROUTERADMIN-SNAT",
            "  " + AliceRule,
            "  # chain ROUTERADMIN-MASQ",
        ], preview.UnifiedDiff.TrimEnd().Split('\n'));
    }

    [Fact]
    public void The_verify_fast_path_accepts_iptables_save_text_that_shows_exactly_the_plan_and_nothing_else()
    {
        var wanted = Planned.Rules(Assigned(("Alice", "192.168.1.2", "203.0.113.9")));
        var exact = NatTable(Chains, JumpLine, MasqueradeLine, AliceRule);

        Assert.True(IptablesDiffer.ShowsWantedState(wanted, exact, []));
        Assert.False(IptablesDiffer.ShowsWantedState(wanted, NatTable(Chains, MasqueradeLine, JumpLine, AliceRule), []), "jump not first");
        Assert.False(IptablesDiffer.ShowsWantedState(wanted, NatTable(Chains, JumpLine, MasqueradeLine), []), "rule missing");
        Assert.False(IptablesDiffer.ShowsWantedState(wanted, NatTable(Chains, JumpLine, MasqueradeLine, AliceRule, AliceRule), []), "rule twice");
        Assert.False(IptablesDiffer.ShowsWantedState(wanted, NatTable(JumpLine, MasqueradeLine), []), "chains missing");
        // Whatever the fast path turns down, the full comparison still decides: here it agrees the router is in sync.
        Assert.True(Compare(Assigned(("Alice", "192.168.1.2", "203.0.113.9")), Live(exact)).InSync);
    }

    private static RouterAdmin.Firewall.Diff.ChangePreview Previewed(IptablesChange change) => new(change, []);
}
